"""Regression tests: one real sentence of the genre per extraction pattern, asserting the
exact fact. Sentences come from DoD releases, briefings and news items of the kind kgraid reads
(the dev articles), written here so the tests need nothing outside the repository."""
import datetime as dt

import pytest

from kgraid.extract import extract, extract_figures
from kgraid.gazetteer import NOT_IN_GAZETTEER
from kgraid.nlp import load_nlp


def facts_of(text: str, published: dt.date | None = None):
    return extract(load_nlp()(text), published=published)


def memberships(text, published=None):
    return {(m.person[1], m.role, m.organization[1]) for m in facts_of(text, published).memberships}


def test_apposition_role_for_organization():
    got = memberships("Gen. Joseph Votel, commander of U.S. Central Command, visited the troops.")
    assert ("Joseph Votel", "commander", "U.S. Central Command") in got


def test_title_before_name_with_organization_modifier():
    got = memberships("Pentagon Press Secretary Peter Cook told reporters the strike was lawful.")
    assert got == {("Peter Cook", "press secretary", "U.S. Department of Defense")}


def test_title_before_name_implies_the_organization():
    got = memberships("Secretary of Defense Ash Carter met the troops.")
    assert ("Ash Carter", "secretary of defense", "U.S. Department of Defense") in got


def test_organization_then_title_then_name():
    got = memberships("Secretary Carter spoke by phone with Kurdistan Regional Government "
                      "President Masoud Barzani.")
    assert ("Masoud Barzani", "president", "Kurdistan Regional Government") in got


def test_apposition_with_organization_as_modifier():
    got = memberships("U.S. forces conducted a precision airstrike near Sirmata, Syria that killed "
                      "Abu Afghan al-Masri, a senior Al Qaeda leader, in Syria.")
    assert ("Abu Afghan al-Masri", "senior leader", "Al-Qaeda") in got


def test_relative_clause_role():
    got = memberships("The U.S. military killed several key ISIL terrorists this week, including "
                      "Haji Imam who was an ISIL senior leader.")
    assert ("Haji Imam", "senior leader", "Islamic State") in got


@pytest.mark.parametrize("text,role", [
    ("U.S. forces killed Abu Ali al-Anbari, who was a senior ISIL commander, in a raid.",
     "senior commander"),
    ("The strike killed Abu Ali al-Anbari, who had long been a senior leader of ISIL.",
     "senior leader"),
    ("Abu Ali al-Anbari was killed on Sunday. He has been a senior leader in ISIL for years.",
     "senior leader"),
    ("Abu Ali al-Anbari was killed on Sunday. He had been ISIL's spokesman.", "spokesman"),
])
def test_comma_who_and_perfect_copula_roles(text, role):
    assert memberships(text) == {("Abu Ali al-Anbari", role, "Islamic State")}


@pytest.mark.parametrize("text,expected", [
    ("The U.S. military killed Haji Imam who was an ISIL senior leader, serving as a finance "
     "minister and who is also responsible for some external plots.",
     {("Haji Imam", "senior leader", "Islamic State"),
      ("Haji Imam", "finance minister", "Islamic State")}),
    ("Abu Ali al-Anbari served as ISIL's finance minister until his death.",
     {("Abu Ali al-Anbari", "finance minister", "Islamic State")}),
    ("Abu Ali al-Anbari worked as a recruiter for ISIS in Mosul.",
     {("Abu Ali al-Anbari", "recruiter", "Islamic State")}),
    ("The building served as a headquarters for ISIS.", set()),  # nobody holds it
])
def test_roles_after_serve_as(text, expected):
    assert memberships(text) == expected


def test_a_chain_of_pronouns_an_aside_and_someone_who():
    text = ("MR. COOK:  First off, Adnani's removal from the battlefield would be a very good "
            "thing.  This is someone who has been a senior leader in ISIL.  He's been "
            "responsible for ISIL's external plotting. Also been responsible for encouraging "
            "attacks against the west. He's been a chief spokesman, as you know, the "
            "mouthpiece for ISIL.")
    # the last "He" is four sentences after the name, one after the "He" before it;
    # "spokesman" (from "the mouthpiece") adds nothing to "chief spokesman"
    assert memberships(text) == {("Abu Muhammad al-Adnani", "senior leader", "Islamic State"),
                                 ("Abu Muhammad al-Adnani", "chief spokesman", "Islamic State")}


def test_a_pronoun_chain_stops_at_another_person():
    text = ("Abu Muhammad al-Adnani was killed in August. Officials named Abu Omar al-Shishani "
            "as his successor. He has been a senior commander of ISIL.")
    assert memberships(text) == {("Abu Omar al-Shishani", "senior commander", "Islamic State")}


def test_a_relative_clause_without_a_role_is_no_membership():
    assert memberships("Col. John Dorrian, who spoke to reporters, said the raid took "
                       "place.") == set()


def test_no_organization_no_membership():
    # "a top financier" names no organization: precision first, nothing is guessed
    assert memberships("The most successful capture was that of Abu Sayyaf, a top financier.") == set()


def test_possessive_role_and_leader_of_second_in_command():
    got = memberships("The highest-ranking leader killed was Abu Muhammad al-Adnani, ISIL's "
                      "spokesman and second in command to leader Abu Bakr al-Baghdadi.")
    assert ("Abu Muhammad al-Adnani", "spokesman", "Islamic State") in got
    assert ("Abu Bakr al-Baghdadi", "leader", "Islamic State") in got


@pytest.mark.parametrize("text, expected", [
    ("ISIL's spokesman, Abu Mohammed al-Adnani, called on supporters to attack Western "
     "targets.", ("Abu Muhammad al-Adnani", "spokesman", "Islamic State")),
    ("The Islamic State has lost Raqqa. The group's leader, Abu Bakr al-Baghdadi, has not been "
     "seen since.", ("Abu Bakr al-Baghdadi", "leader", "Islamic State")),
    # the armed group meant, not the monitor named since whose name has "Group" in it
    ("The Haqqani network held the village, according to the SITE Intelligence Group. The "
     "group's chief propagandist, Abu Talha al-Halabi, was wounded.",
     ("Abu Talha al-Halabi", "chief propagandist", "Haqqani network")),
    # a role the parser reads as a verb, an organization with a dash in its name
    ("Brig. Gen. Matthew Isler, commanding general of Combined Joint Task Force – Operation "
     "Inherent Resolve, said the coalition would continue to strike.",
     ("Matthew Isler", "commanding general",
      "Combined Joint Task Force – Operation Inherent Resolve")),
    # a country's possessive inside the organization's phrase
    ("The head of Afghanistan's National Directorate of Security, Masoom Stanekzai, resigned "
     "on Monday.", ("Masoom Stanekzai", "head", "National Directorate of Security")),
])
def test_role_owned_by_an_organization_before_the_name(text, expected):
    assert memberships(text) == {expected}


@pytest.mark.parametrize("text", [
    "Somalia's information minister, Mohamed Abdi Hayir, said the government welcomed it.",
    "Mohamed Abdi Hayir, Somalia's information minister, said the government welcomed it.",
    "The Somali information minister, Mohamed Abdi Hayir, said the government welcomed it.",
])
def test_a_states_minister_before_or_after_the_name_is_its_governments(text):
    assert memberships(text) == {("Mohamed Abdi Hayir", "information minister",
                                  "Government of Somalia")}


def test_a_towns_governor_is_not_a_government_role():
    assert memberships("Mosul's governor, Nawfal Hammadi, said the city was safe.") == set()


@pytest.mark.parametrize("text, expected", [
    ("The Islamic State lost Raqqa. Abu Bakr al-Baghdadi, the group's leader, has not been "
     "seen since.", {("Abu Bakr al-Baghdadi", "leader", "Islamic State")}),
    ("Al-Shabaab said Hassan Yacqub, the group's governor for Galmudug, was killed.",
     {("Hassan Yacqub", "governor", "al-Shabaab")}),
    # "its" may as well be a place's ("Iraq and its prime minister"): not guessed
    ("Boko Haram attacked Maiduguri. Abubakar Shekau, its leader, released a video.", set()),
])
def test_apposition_role_of_the_group_named_before(text, expected):
    assert memberships(text) == expected


def ops(text, published=None):
    return facts_of(text, published).operations


def test_strike_list_item_place_and_list_date():
    text = ("SOUTHWEST ASIA, Feb. 10, 2017 — U.S. and coalition military forces continued to "
            "attack ISIL terrorists in Iraq and Syria yesterday, officials reported today.\n\n"
            "Strikes in Iraq\n\nFighter aircraft conducted nine strikes in Iraq:\n\n"
            "-- Near Qaim, two strikes engaged two ISIL tactical units and destroyed three "
            "vehicles.\n")
    got = ops(text, dt.date(2017, 2, 10))
    assert [(o.op_type, [p[1] for p in o.places], o.time.value) for o in got] == \
        [("Strike", ["Qaim"], "2017-02-09")]


@pytest.mark.parametrize("text, day", [
    # the date hangs on the killing, two verbs below the one that reports it
    ("Officials said the drone strike near Mir Ali killed four militants late Saturday.",
     "2017-01-07"),
    ("The drone strike near Mir Ali killed four militants late Saturday, officials said.",
     "2017-01-07"),
    # before a trailing attribution the date is the clause's, even hung on "said"
    ("WASHINGTON — U.S. forces conducted a drone strike in Mir Ali, in Pakistan's North "
     "Waziristan, early Sunday, the Pentagon said. Four militants were killed, officials "
     "said.", "2017-01-08"),
    # the date of the report is not the strike's
    ("Officials said Wednesday that a drone strike near Mir Ali killed four militants.", None),
    ("A drone strike near Mir Ali killed four militants, officials said Wednesday.", None),
    # right after the reporting verb: the report's, even where the parser gives it the strike
    ("The army said on Wednesday it had carried out a drone strike near Mir Ali.", None),
    ("Officials said Monday's drone strike near Mir Ali killed four militants.", "2017-01-09"),
    ("Officials said in a statement on Monday that the strike near Mir Ali killed four.", None),
])
def test_a_date_under_the_reported_verb_is_the_operations(text, day):
    got = ops(text, dt.date(2017, 1, 10))
    assert [[p[1] for p in o.places][:1] for o in got] == [["Mir Ali"]]
    assert (got[0].time.value if got[0].time else None) == day


@pytest.mark.parametrize("text, place, day", [
    ("A car bomb killed 18 people in Mogadishu on Saturday.", "Mogadishu", "2017-01-07"),
    ("A roadside bomb exploded near a convoy in Kandahar on Monday, killing two soldiers.",
     "Kandahar", "2017-01-09"),
    ("Five soldiers were killed by a roadside bomb in Helmand province on Sunday.",
     "Helmand Province", "2017-01-08"),
    ("A truck bomb was detonated outside the ministry in Kabul on Monday.", "Kabul",
     "2017-01-09"),
])
def test_a_bomb_that_went_off_is_a_bombing(text, place, day):
    got = ops(text, dt.date(2017, 1, 10))
    assert [(o.op_type, [p[1] for p in o.places], o.time.value) for o in got] == \
        [("Bombing", [place], day)]


def test_a_date_on_a_verb_conjoined_to_the_triggers_dates_the_operation():
    # the parser hangs "on Monday" on "wounded"; the bombing killed and wounded
    got = ops("A roadside bomb killed two soldiers and wounded five police officers in "
              "Kirkuk on Monday.", dt.date(2017, 1, 10))
    assert [(o.op_type, [p[1] for p in o.places], o.time and o.time.value) for o in got] == \
        [("Bombing", ["Kirkuk"], "2017-01-09")]


@pytest.mark.parametrize("text, actors", [
    ("Taliban fighters killed 12 Afghan soldiers in an ambush in Helmand on Monday.",
     ["Taliban"]),
    # "they" who killed is the speaker
    ("The Taliban said they had killed 12 Afghan soldiers in an ambush in Helmand on Monday.",
     ["Taliban"]),
    ("Al-Shabaab claimed responsibility for the attack, which killed 15 people at a hotel in "
     "Mogadishu on Monday.", ["al-Shabaab"]),
    # the parser can hang "in airstrikes" on the object
    ("The Pakistan Army says it has killed 40 militants in airstrikes in North Waziristan.",
     ["Pakistan Army"]),
    # a subject that names no organization is no actor
    ("Police said they had arrested 12 suspects in a raid in Kirkuk on Monday.", []),
    ("Officials said the victims were killed in an ambush in Helmand on Monday.", []),
])
def test_who_did_an_operation_told_as_a_noun_under_their_verb(text, actors):
    got = ops(text, dt.date(2017, 1, 10))
    assert [[a[1] for a in o.actors] for o in got] == [actors]


@pytest.mark.parametrize("text, targets", [
    # the organization the verb's object belongs to is the target
    ("Afghan commandos raided a Taliban compound in Helmand on Monday.", ["Taliban"]),
    ("Boko Haram attacked a Nigerian army base in Borno on Monday.", ["Nigerian army"]),
    ("Coalition jets struck ISIS positions near Raqqa on Monday.", ["Islamic State"]),
    # a place taken is no target
    ("Iraqi forces recaptured Mosul on Monday.", []),
])
def test_the_object_of_an_operation_verb_names_its_target(text, targets):
    got = ops(text, dt.date(2017, 1, 10))
    assert [[t[1] for t in o.targets] for o in got] == [targets]


@pytest.mark.parametrize("text, expected", [
    ("Gunmen opened fire on a bus in Minya on Monday, killing at least 28 people.",
     [("Attack", [])]),
    ("Al-Shabaab militants opened fire on a hotel in Mogadishu on Monday.",
     [("Attack", ["al-Shabaab"])]),
    # not every shooting is an attack: by the police, or told as not having happened
    ("Police opened fire on protesters in Kabul on Monday.", []),
    ("Soldiers did not open fire on the crowd in Kabul on Monday.", []),
    ("The ministry opened an investigation in Kabul on Monday.", []),
])
def test_armed_men_opening_fire_is_an_attack(text, expected):
    got = ops(text, dt.date(2017, 1, 10))
    assert [(o.op_type, [a[1] for a in o.actors]) for o in got] == expected


def test_a_bomb_after_a_capture_is_not_the_capture():
    # the capture stays a capture; the bombing "near the town", told by the other side,
    # names no place of its own
    text = ("Iraqi forces recaptured the town of Hamam al-Alil south of Mosul on Saturday, the "
            "military said. Islamic State's Amaq news agency said a suicide car bomb had killed "
            "dozens of Iraqi soldiers near the town, a claim that could not be verified.")
    got = ops(text, dt.date(2017, 3, 5))
    assert [(o.op_type, o.trigger, o.time.value) for o in got] == \
        [("Capture", "recaptured", "2017-03-04")]


@pytest.mark.parametrize("text", [
    "Coalition aircraft destroyed three car bombs near Mosul on Tuesday.",
    "Police defused a car bomb in Mogadishu on Saturday.",
])
def test_a_bomb_found_or_destroyed_is_a_weapon_not_a_bombing(text):
    assert [o.op_type for o in ops(text, dt.date(2017, 1, 10))] == []


@pytest.mark.parametrize("text, places", [
    # the model reads "El Adde" as an organization: "in <name>, <country>" makes it a place
    ("Al-Shabaab fighters attacked a Kenyan military base in El Adde, Somalia, on Jan. 15.",
     ["El Adde", "Somalia"]),
    ("Militants attacked a checkpoint in Bir al-Abd, Egypt, on Friday.",
     ["Bir al-Abd", "Egypt"]),
    # without a country after it, the model's reading stands
    ("Al-Shabaab fighters attacked a Kenyan military base in El Adde on Jan. 15.", []),
    # a part of a country named by its direction is as good as the country
    ("Abu Sayyaf was killed during a raid by U.S. special operations forces in al-Amr, "
     "eastern Syria, on May 16.", ["al-Amr", "eastern Syria"]),
    # where a captive is held afterwards is not where the operation was
    ("Abu Sayyaf was killed during a raid in al-Amr, eastern Syria, on May 16. His wife was "
     "captured during the operation and is being held in Iraq.", ["al-Amr", "eastern Syria"]),
    # a lone word the model reads as a person, right after "near"
    ("The army said it had rescued 30 hostages in a raid near Kumshe on Tuesday.",
     ["Kumshe"]),
    # an owner, or a person named again, is a person
    ("A strike near Baghdadi's hideout killed five.", []),
    ("Coalition jets struck near Baghdadi on Monday. Baghdadi was not hurt.", []),
])
def test_a_name_before_its_country_is_a_place(text, places):
    got = ops(text, dt.date(2017, 1, 10))
    assert [[p[1] for p in o.places] for o in got] == ([places] if places else [])


def test_plural_strikes_with_a_toll_on_the_participle_after_them_are_an_operation():
    got = ops("The Saudi-led coalition launches airstrikes on Houthi positions in Sanaa, "
              "killing 12.", dt.date(2017, 1, 10))
    assert [(o.op_type, [p[1] for p in o.places]) for o in got] == [("Airstrike", ["Sanaa"])]
    # no toll, no date, in the present: strikes in general
    assert ops("Coalition jets conduct airstrikes in Sanaa, the ministry says.",
               dt.date(2017, 1, 10)) == []


def test_strikes_in_a_country_after_a_dated_summary_take_its_date():
    text = ("Coalition forces conducted 12 strikes against ISIL targets in Syria and Iraq on "
            "Jan. 4.\n\nIn Syria, bomber and fighter aircraft conducted eight strikes near "
            "Raqqa and Palmyra.\n\nIn Iraq, attack aircraft conducted four strikes near Mosul.")
    got = ops(text, dt.date(2017, 1, 5))
    assert [o.time.value if o.time else None for o in got] == ["2017-01-04"] * 3
    # a country the summary did not name: no date
    got = ops("Coalition forces conducted 12 strikes against ISIL targets in Syria on Jan. 4. "
              "Separately, strikes near Mosul in Iraq killed 20 militants.", dt.date(2017, 1, 5))
    assert [o.time.value if o.time else None for o in got] == ["2017-01-04", None]


def test_a_summary_under_a_heading_and_a_campaigns_description_add_nothing():
    # "These strikes" after a heading sums up the sections above; "the operation to defeat
    # ISIS in Iraq and Syria" describes the named campaign: neither lends its places to the
    # last strike
    text = ("On Dec. 15, coalition forces conducted two strikes against ISIS targets near "
            "Qaim. The strikes destroyed an ISIS fuel truck.\n\n"
            "Part of Operation Inherent Resolve\n\n"
            "These strikes were conducted as part of Operation Inherent Resolve, the operation "
            "to defeat ISIS in Iraq and Syria.\n")
    got = ops(text, dt.date(2017, 12, 18))
    assert [(o.op_type, [p[1] for p in o.places], o.time.value, len(o.evidence))
            for o in got] == [("Strike", ["Qaim"], "2017-12-15", 1)]


@pytest.mark.parametrize("text,expected", [
    ("Pentagon Press Secretary Peter Cook briefed reporters.\n\nQ:  Hi, Peter.  Can you say "
     "whether the strike killed him?\n", {"Peter Cook": ["Peter"]}),
    # two Peters: "Peter" alone stays apart, nothing is guessed
    ("Peter Cook and Peter Smith spoke. Later, Peter left.",
     {"Peter Cook": [], "Peter Smith": [], "Peter": []}),
])
def test_a_first_name_alone_is_the_one_full_name_it_starts(text, expected):
    got = {e.label: sorted(e.alt_labels) for e in facts_of(text).entities.values()
           if e.kind == "Person"}
    assert got == expected


def test_a_photo_caption_names_nobody():
    text = ("File Photo US Army Soldiers Fort Bragg Black Hawk/ Shutterstock\n"
            "U.S. Army soldiers trained near Fort Bragg, Col. John Dorrian said.\n")
    labels = {e.label for e in facts_of(text).entities.values()}
    assert "John Dorrian" in labels
    assert not any("Photo" in label or "Shutterstock" in label for label in labels)
    caption_only = facts_of("Representation Image US Military Soldiers Black Hawk "
                            "Helicopter Military_Material/ Pixabay\n")
    assert caption_only.entities == {}


@pytest.mark.parametrize("text,word", [
    ("Strikes in Syria\n\nYesterday, coalition forces conducted two strikes near Raqqa.\n\n"
     "Strikes in Iraq\n\nThree strikes hit ISIS near Mosul.\n", "Strikes"),
    ("Masked militants attack a checkpoint south of Rafah. The attack included VBIED and "
     "signal jamming.", "VBIED"),
    ("The Lebanese Armed Forces launches operation Fajr al-Joroud, and on the first day "
     "recaptures 30 km of territory near the border.", "Fajr"),
    ("Secretary of Defense Ash Carter; Joint Chiefs of Staff Chairman General Joseph F. "
     "Dunford\n\nSECRETARY OF DEFENSE ASH CARTER: Good afternoon.", "Defense"),
])
def test_operation_words_devices_and_operation_names_are_no_entities(text, word):
    labels = {e.label for e in facts_of(text, dt.date(2017, 8, 19)).entities.values()}
    assert not any(label.split()[0] == word for label in labels), labels


@pytest.mark.parametrize("text,expected", [
    ("ISIS occupied Raqqa in 2013.", [("Capture", ["Raqqa"], "2013")]),
    ("Raqqa fell to ISIS in January 2014.", [("Capture", ["Raqqa"], "2014-01")]),
    ("Iraqi forces stormed the airport of Mosul on Sunday.",
     [("Capture", ["Mosul"], "2017-10-15")]),
    ("ISIS fighters still occupy parts of Raqqa.", []),  # a state, not an event
    ("Oil prices fell to record lows in Mosul in March.", []),  # fell to no armed group
    # a background capture takes no later mention told with another word, and an undated
    # operation is not dated by another word's date
    ("Raqqa fell to ISIS in January 2014. Syrian Democratic Forces liberated Raqqa on "
     "Tuesday.", [("Capture", ["Raqqa"], "2014-01"), ("Capture", ["Raqqa"], "2017-10-17")]),
    ("Raqqa was occupied by Syrian opposition forces in 2013 and was embroiled in a civil war "
     "before being seized by ISIS in January 2014.",  # the place of a subjectless passive
     [("Capture", ["Raqqa"], "2013"), ("Capture", ["Raqqa"], "2014-01")]),
    ("Mosul was rebuilt after being recaptured by Iraqi forces in July 2017.",
     [("Capture", ["Mosul"], "2017-07")]),
    ("The Syrian city of Raqqa has been liberated from ISIS.\n\nRaqqa was occupied by "
     "opposition forces in 2013.", [("Capture", ["Raqqa"], None),
                                    ("Capture", ["Raqqa"], "2013")]),
])
def test_how_a_place_came_to_be_held(text, expected):
    got = ops(text, dt.date(2017, 10, 20))
    assert [(o.op_type, [p[1] for p in o.places], o.time.value if o.time else None)
            for o in got] == expected


def test_an_undated_mention_goes_to_the_operation_told_with_the_same_word():
    text = ("The Syrian city of Raqqa has been liberated from ISIS.\n\nRaqqa was seized by "
            "ISIS in January 2014.\n\nThe fight to liberate Raqqa began with coalition "
            "strikes.")
    got = ops(text, dt.date(2017, 10, 20))
    assert [(o.trigger, o.time.value if o.time else None, len(o.evidence)) for o in got] == \
        [("liberated", None, 2), ("seized", "2014-01", 1)]


def test_dateline_place_is_not_an_operation_place():
    text = ("SOUTHWEST ASIA, Dec. 18, 2017 — Yesterday in Syria, coalition military forces "
            "conducted eight strikes consisting of 13 engagements against ISIS targets near "
            "Abu Kamal.")
    got = ops(text, dt.date(2017, 12, 18))
    assert len(got) == 1
    assert "Southwest Asia" not in [p[1] for p in got[0].places]
    assert ("Place", "Abu Kamal") in got[0].places and got[0].time.value == "2017-12-17"


@pytest.mark.parametrize("dateline", [
    "STUTTGART, Germany, March 9, 2023 —",
    "NAIROBI, Kenya, March 9 (Reuters) -",
    "KISMAYO (AP) —",
    "MOGADISHU, Somalia —",
    "BAIDOA:",
])
def test_every_form_of_dateline_is_neither_place_nor_actor(dateline):
    text = (f"{dateline} U.S. Africa Command conducted an airstrike against al-Shabaab "
            "militants near Jilib on Tuesday.")
    got = ops(text, dt.date(2023, 3, 9))
    assert len(got) == 1
    city = dateline.split(",")[0].split(" (")[0].rstrip(":").title()
    named = [p[1] for p in got[0].places] + [a[1] for a in got[0].actors]
    assert ("Place", "Jilib") in got[0].places and got[0].time.value == "2023-03-07"
    assert city not in named and "Germany" not in named and "Kenya" not in named


@pytest.mark.parametrize("text, op_type, place, day", [
    ("The Nigerian Air Force killed 20 Boko Haram fighters in an airstrike on Malam Fatori "
     "on Monday.", "Airstrike", "Malam Fatori", "2022-11-14"),
    ("A U.S. drone strike in Shabwah killed two AQAP members on Sunday.", "DroneStrike",
     "Shabwah", "2022-11-13"),
    ("Malian troops killed 12 militants in an operation near Ménaka on Tuesday.",
     "GenericOperation", "Ménaka", "2022-11-15"),
    ("Somali special forces raided an al-Shabaab base near Kismayo on Tuesday.", "Raid",
     "Kismayo", "2022-11-15"),
    ("Iraqi troops killed five militants in a raid in Diyala province on Sunday.", "Raid",
     "Diyala Governorate", "2022-11-13"),
])
def test_towns_and_provinces_of_other_theatres_place_the_operation(text, op_type, place, day):
    got = ops(text, dt.date(2022, 11, 16))
    assert [(o.op_type, [p[1] for p in o.places], o.time.value) for o in got] == \
        [(op_type, [place], day)]


@pytest.mark.parametrize("aside", [
    "Col. Pierre Martin told reporters in Paris that the operation had taken weeks to plan.",
    "Gen. Ahmed Khan told a press conference in Rawalpindi that the operation had ended.",
])
def test_where_something_was_said_is_not_where_the_operation_was(aside):
    text = ("French troops killed 12 militants in an operation near Niono on Tuesday. " + aside)
    got = ops(text, dt.date(2020, 11, 13))
    places = {p[1] for o in got for p in o.places}
    assert "Niono" in places and not {"Paris", "Rawalpindi"} & places


@pytest.mark.parametrize("text", [
    "The coalition carried out 12 airstrikes near Hawija on Monday, said Col. Ryan Dillon, "
    "the coalition's spokesman in Baghdad.",
    "The spokesman in Baghdad said the coalition carried out 12 airstrikes near Hawija on "
    "Monday.",
])
def test_where_a_spokesman_serves_is_not_where_the_operation_was(text):
    got = ops(text, dt.date(2017, 9, 6))
    assert [[p[1] for p in o.places] for o in got] == [["Hawija"]]


def test_a_place_that_is_not_where_a_speaker_serves_still_places_the_operation():
    got = ops("A spokesman said an airstrike killed 10 militants in Mosul on Sunday.",
              dt.date(2017, 8, 28))
    assert [[p[1] for p in o.places] for o in got] == [["Mosul"]]


def test_what_a_target_was_known_for_is_neither_an_operation_nor_its_place():
    text = ("U.S. forces conducted a helicopter raid in northern Syria on Monday, killing Abu "
            "Ali al-Tunisi, a senior ISIS leader responsible for planning attacks in the Middle "
            "East and Europe, the command said.")
    got = ops(text, dt.date(2023, 4, 18))
    assert [(o.op_type, [p[1] for p in o.places], o.time.value) for o in got] == \
        [("Raid", ["northern Syria"], "2023-04-17")]


def test_a_desire_to_strike_is_no_strike():
    text = ('"ISIS remains capable of conducting operations with a desire to strike beyond the '
            'Middle East," said Gen. Michael Kurilla.')
    assert ops(text, dt.date(2023, 4, 18)) == []


def test_the_day_of_a_statement_does_not_date_the_operation_it_reports():
    text = ("The Iraqi army said in a statement on Wednesday that an airstrike near Mosul had "
            "killed 11 militants.")
    got = ops(text, dt.date(2023, 3, 9))
    assert [(o.op_type, o.time) for o in got] == [("Airstrike", None)]


def test_generic_and_hypothetical_mentions_are_not_operations():
    text = ("The coalition has in recent months killed a string of officials with drone strikes, "
            "but ground raids aimed at capturing leaders are rare. They plot to attack the West.")
    assert ops(text, dt.date(2017, 1, 9)) == []


def test_month_without_year_is_last_such_month():
    got = ops("Adnani was hit by a drone strike in August in a rural area of northern Syria.",
              dt.date(2017, 1, 9))
    assert [(o.op_type, o.time.value, o.time.precision) for o in got] == \
        [("DroneStrike", "2016-08", "month")]
    assert ("Place", "northern Syria") in got[0].places


def test_weekday_without_publication_date_keeps_text_only():
    got = ops("U.S. forces carried out a raid near the village of Qamishli on Thursday.")
    assert len(got) == 1 and got[0].time.text == "Thursday" and got[0].time.value is None


def test_date_of_a_relative_clause_is_not_the_operation_date():
    got = ops("ISIL militants reportedly blow up the Great Mosque of al-Nuri in Mosul, where Abu "
              "Bakr al-Baghdadi proclaimed the creation of a caliphate in 2014.", dt.date(2017, 6, 21))
    assert len(got) == 1 and got[0].time.value == "2017-06-21"  # headline present: that day


def test_mentions_of_one_operation_are_one_operation():
    text = ("A rare raid in Syria was carried out by U.S. forces. The raid happened in an area of "
            "Hassakeh province in the village of Muluk Saray. The source said that the raid lasted "
            "several hours.")
    got = ops(text)
    assert len(got) == 1
    assert {("Place", "Muluk Saray"), ("Place", "Al-Hasakah Governorate")} <= set(got[0].places)


def test_another_raid_is_a_new_operation():
    text = ("The raid took place Sunday near Deir al-Zour. A U.S. soldier died in another raid in "
            "the Iraqi town of Hawija in October 2015.")
    got = ops(text, dt.date(2017, 1, 9))
    assert [(o.time.value, o.places[0][1]) for o in got] == [("2017-01-08", "Deir ez-Zor"),
                                                             ("2015-10", "Hawija")]


def claims(text, published=None):
    return [( [s[1] for s in c.sources], c.statement, c.hedge) for c in facts_of(text, published).claims]


@pytest.mark.parametrize("text, source", [
    ("At least 18 people were killed in Mogadishu on Saturday, police said.", "police"),
    ("Police said at least 18 people were killed in Mogadishu on Saturday.", "police"),
    ("The military said at least 18 militants were killed in the raid.", "military"),
    ("Ten civilians were killed and 25 others were wounded, according to a police officer.",
     "police officer"),
    # the body the article named before, not a guess at which state's it is
    ("The Pakistani Army launched an offensive in North Waziristan. At least 18 militants were "
     "killed in the raid near Miranshah, the army said.", "Pakistani Army"),
])
def test_a_bare_institution_or_an_officer_is_a_source(text, source):
    assert [c[0] for c in claims(text)] == [[source]]


@pytest.mark.parametrize("text, expected", [
    # inverted: the first clause, then what the source added
    ("Turkish warplanes struck militant targets in northern Iraq on Friday, the Turkish "
     "military said, adding that 14 militants were killed.",
     [(["Turkish military"], "Turkish warplanes struck militant targets in northern Iraq on "
       "Friday"), (["Turkish military"], "14 militants were killed")]),
    # the participle hangs on the reported clause, not on "said"
    ("Police said five people were killed, noting that the toll could rise.",
     [(["police"], "five people were killed"), (["police"], "the toll could rise")]),
    # a parenthetical attribution still joins the clause around it
    ("The raid killed 10 fighters, including, officials said, two commanders.",
     [(["officials"], "The raid killed 10 fighters, including two commanders")]),
])
def test_a_source_adding_a_statement_makes_two_claims(text, expected):
    assert [(c[0], c[1]) for c in claims(text)] == expected


def test_an_added_statement_carries_its_own_figures():
    facts = facts_of("The army said it had killed 20 militants, adding that three soldiers "
                     "died.")
    assert [[(f.count, f.casualty_type) for f in c.figures] for c in facts.claims] == \
        [[(20, "killed")], [(3, "killed")]]


@pytest.mark.parametrize("text, expected", [
    # the report's date the parser put in the clause is not what was said
    ("The Iraqi army said on Wednesday it had killed 40 militants in the first day of "
     "fighting.", [(["Iraqi army"], "it had killed 40 militants in the first day of fighting",
                    "Asserted")]),
    ("The army said Sunday's raid killed 10 militants.",
     [(["army"], "Sunday's raid killed 10 militants", "Asserted")]),
    ("The army said Monday was the deadliest day of the offensive.",
     [(["army"], "Monday was the deadliest day of the offensive", "Asserted")]),
    # a caveat in the next sentence hedges the claim before it
    ("The group said it had killed 30 soldiers. The claim could not be independently "
     "verified.", [(["group"], "it had killed 30 soldiers", "Reportedly")]),
])
def test_the_report_date_and_the_next_sentence_caveat(text, expected):
    assert claims(text) == expected


@pytest.mark.parametrize("text, source", [
    ("Al-Shabaab attacked a base in Lower Shabelle on Sunday. A spokesman for the group said "
     "20 soldiers were killed.", "spokesman for al-Shabaab"),
    ("The Syrian Observatory for Human Rights reported the deaths. A spokesman for the "
     "monitor said 12 were civilians.", "spokesman for Syrian Observatory for Human Rights"),
    # no group named before: the spokesman alone
    ("A spokesman for the group said 20 soldiers were killed.", "spokesman"),
])
def test_a_spokesman_for_the_group_names_the_group(text, source):
    assert [c[0] for c in claims(text)] == [[source]]


def test_a_relative_clause_that_says_is_its_antecedents_claim():
    got = claims("The attack was claimed by Islamic State, which said in a statement that its "
                 "fighters had killed 30 soldiers.")
    assert (["Islamic State"], "its fighters had killed 30 soldiers", "Asserted") in got


def test_where_someone_spoke_is_not_where_the_strike_was():
    ops = facts_of("Speaking to reporters in Baghdad, Brig. Gen. Rick Uribe said the "
                   "coalition had struck 20 targets near Mosul on Saturday.",
                   dt.date(2017, 1, 10)).operations
    assert [[p[1] for p in o.places] for o in ops] == [["Mosul"]]


def test_a_bare_agency_with_no_antecedent_is_no_source():
    assert claims("Ten civilians were killed, the agency said.") == []


def test_a_claim_of_responsibility_the_parser_reads_as_a_noun_phrase():
    # "[claims responsibility]" parsed as one noun phrase, "claims" a compound
    got = claims("A suicide bomber kills at least 30 people at a Shiite mosque in Kunduz, "
                 "Afghanistan. The Islamic State claims responsibility.", dt.date(2017, 1, 10))
    assert [(c[0], c[1]) for c in got] == [(["Islamic State"], "claims responsibility")]


def test_it_said_after_a_claim_is_the_same_organization_speaking():
    got = claims("The commander, Abdulkadir Commandos, was responsible for planning attacks on "
                 "Somali forces, the U.S. Africa Command said in a statement. It said no "
                 "civilians were killed.")
    assert [c[0] for c in got] == [["U.S. Africa Command"], ["U.S. Africa Command"]]


def test_the_group_is_the_subject_not_the_organization_in_an_aside():
    got = claims("Al-Shabab, which is allied with al-Qaida, has been fighting for years. The "
                 "group denied that any of its commanders had been killed.")
    assert [c[0] for c in got] == [["al-Shabaab"]]


@pytest.mark.parametrize("text,expected", [
    ("ISIS spokesman Abu Hassan al-Muhajir said in an audio message that the group would "
     "fight on.", (["Abu Hassan al-Muhajir"], "the group would fight on")),
    ("The Pentagon said in a video message that the strike killed two al-Qaeda leaders.",
     (["U.S. Department of Defense"], "the strike killed two al-Qaeda leaders")),
])
def test_said_in_a_message_that(text, expected):
    assert [(c[0], c[1]) for c in claims(text)] == [expected]


def test_said_in_a_statement_posted_online_that():
    got = claims("Al-Qaeda in the Arabian Peninsula denied it. The group said in a statement "
                 "posted online that the raid had failed.")
    assert (["Al-Qaeda in the Arabian Peninsula"], "the raid had failed") in \
        [(c[0], c[1]) for c in got]


@pytest.mark.parametrize("text", [
    "The Egyptian army said in a statement that was posted online that its forces had killed "
    "12 militants near Arish.",
    "The Egyptian army said in a statement that it released on Facebook that its forces had "
    "killed 12 militants near Arish.",
])
def test_the_report_is_the_that_clause_after_a_relative_clause_on_the_statement(text):
    # the relative clause says where the statement was put, not what it said
    assert [c[1] for c in claims(text)] == ["its forces had killed 12 militants near Arish"]


def test_a_statement_with_only_a_relative_clause_reports_nothing():
    assert claims("The Pentagon said in a statement that was issued late Tuesday.") == []


@pytest.mark.parametrize("text, statement", [
    ("Russia's Defense Ministry claimed its warplanes had killed 120 militants near Palmyra, "
     "a claim that could not be independently verified.",
     "its warplanes had killed 120 militants near Palmyra"),
    ("The group said 30 soldiers died, a figure that cannot be confirmed.", "30 soldiers died"),
    # no caveat: the words stay
    ("The group said 30 soldiers died, a claim that can be verified.",
     "30 soldiers died, a claim that can be verified"),
])
def test_the_reporters_caveat_is_not_part_of_the_statement(text, statement):
    got = claims(text)
    assert [c[1] for c in got] == [statement]


def test_an_unverified_claim_is_still_hedged():
    got = claims("Russia's Defense Ministry claimed its warplanes had killed 120 militants near "
                 "Palmyra, a claim that could not be verified.")
    assert got[0][2] == "Reportedly"


def test_medics_are_a_source():
    assert [c[0] for c in claims("Medics in Bayda province said the toll could be higher.")] \
        == [["Medics"]]


@pytest.mark.parametrize("text, source", [
    ("Iraqi state TV reported that security forces had retaken the Mosul airport.",
     "Iraqi state TV"),
    ("Syrian state television said the army had captured the town.", "Syrian state television"),
    ("A local newspaper reported that 20 militants were killed near Sirte.", "local newspaper"),
])
def test_broadcasters_and_newspapers_are_sources(text, source):
    assert [c[0] for c in claims(text)] == [[source]]


def test_reporting_verb_with_that_clause():
    got = claims("The Britain-based Syrian Observatory for Human Rights said that 25 ISIL members "
                 "were killed in the operation.")
    assert got == [(["Syrian Observatory for Human Rights"],
                    "25 ISIL members were killed in the operation", "Asserted")]


def test_inverted_attribution_and_anonymous_source():
    got = claims("Three U.S. helicopters carrying soldiers landed in the village after midnight, "
                 "said a resident.")
    assert got == [(["resident"], "Three U.S. helicopters carrying soldiers landed in the village "
                                  "after midnight", "Asserted")]


def test_according_to_with_two_sources():
    got = claims("A U.S. official said the raid happened. The raid took place Sunday near "
                 "Deir al-Zour, according to the officials and Syrian activist groups.")
    assert (["U.S. official", "Syrian activist groups"] == got[1][0] or
            ["Syrian activist groups"] == got[1][0][-1:])
    assert got[1][1] == "The raid took place Sunday near Deir al-Zour"


def test_a_country_that_speaks_is_the_source():
    got = claims("Russia said on Sunday that its aircraft killed 30 militants near Palmyra. "
                 "Turkey claimed that its forces killed 44 Islamic State fighters in al-Bab.")
    assert [(g[0], g[1]) for g in got] == [
        (["Russia"], "its aircraft killed 30 militants near Palmyra"),
        (["Turkey"], "its forces killed 44 Islamic State fighters in al-Bab")]


@pytest.mark.parametrize("text, kind, name", [
    ("Coalition aircraft struck an ISIL camp near Kuwait City on Sunday.", "Place", "Kuwait City"),
    ("Air Canada said that a flight was cancelled after the strike near Mosul.",
     "Organization", "Air Canada"),
    ("Bank of China said that the raid in Sinai killed 10 militants.",
     "Organization", "Bank of China"),
    ("Officials in New Mexico said that a raid near Mosul killed 3 fighters.", "Place", "New Mexico"),
])
def test_a_country_inside_a_longer_name_leaves_the_longer_name(text, kind, name):
    doc = load_nlp()(text)
    assert (name, kind) in [(e.text, k) for e in doc.ents
                            for k in [{"GPE": "Place", "LOC": "Place",
                                       "ORG": "Organization"}.get(e.label_)]]
    f = facts_of(text, dt.date(2017, 1, 9))
    named = [p[1] for o in f.operations for p in o.places] + \
        [s[1] for c in f.claims for s in c.sources] + [k[1] for k in f.entities]
    assert name in named
    assert not {"Kuwait", "Canada", "China", "Mexico"} & set(named)


def test_a_country_name_the_model_split_or_mislabelled_is_the_country():
    doc = load_nlp()("French troops raided camps in Guinea-Bissau and in Niger on Sunday.")
    got = [(e.text, e.label_, e.ent_id_) for e in doc.ents if e.label_ == "GPE"]
    assert got == [("Guinea-Bissau", "GPE", "Guinea-Bissau"), ("Niger", "GPE", "Niger")]


@pytest.mark.parametrize("text, source, hedge", [
    ("Islamic State West Africa Province claimed that its fighters had killed seven soldiers.",
     "Islamic State West Africa Province", "Claimed"),
    ("ISWAP claimed that its fighters had killed seven soldiers.",
     "Islamic State West Africa Province", "Claimed"),
    ("AQIM denied that any of its members had been killed.",
     "Al-Qaeda in the Islamic Maghreb", "Denied"),
    ("al-Qaeda in the Islamic Maghreb said that none of its members had been killed.",
     "Al-Qaeda in the Islamic Maghreb", "Asserted"),
    ("AFRICOM said that the strike killed two militants.", "U.S. Africa Command", "Asserted"),
    ("U.S. Africa Command said that the strike killed two militants.", "U.S. Africa Command",
     "Asserted"),
    ("The Pakistani Taliban said that only two of its fighters had been killed.",
     "Tehrik-i-Taliban Pakistan", "Asserted"),
])
def test_an_affiliate_is_its_own_group_not_its_parent(text, source, hedge):
    got = claims(text)
    assert [(g[0], g[2]) for g in got] == [([source], hedge)]


@pytest.mark.parametrize("text, source", [
    ("U.S. Africa Command said the strike hit a camp near Jilib. A U.S. official said it was "
     "not clear who was killed. The command said that no civilians were harmed.",
     "U.S. Africa Command"),
    ("France's armed forces ministry announced the operation. The fighters belonged to JNIM. "
     "The ministry said that the operation took place on Tuesday near Niono.",
     "France's armed forces ministry"),
    ("A U.S. drone strike near Ubari targeted al-Qaeda in the Islamic Maghreb. The Libyan "
     "National Army had reported fighting nearby. The group said that none of its members "
     "had been killed.", "Al-Qaeda in the Islamic Maghreb"),
])
def test_the_command_the_ministry_the_group_is_the_last_one_of_its_kind(text, source):
    got = claims(text, dt.date(2018, 3, 29))
    assert got[-1][0] == [source]


@pytest.mark.parametrize("text, source", [
    ("Yemen's Defense Ministry said the strike killed 12 militants in Shabwah.",
     "Yemeni Defense Ministry"),
    ("The Defence Ministry of Iraq said the airstrike killed 12 militants near Mosul.",
     "Iraqi Defence Ministry"),
    ("Nigeria's army said troops killed 20 Boko Haram fighters in Borno State on Monday.",
     "Nigerian army"),
    # a bare body after the same body of a named state is that state's
    ("U.S. and Yemeni officials met. Yemen's Defense Ministry announced the raid. The Defense "
     "Ministry said that 12 militants were killed.", "Yemeni Defense Ministry"),
    # a bare body in an article that names one state only is that state's
    ("Iraqi soldiers raided a hideout near Muqdadiya. The Defense Ministry said that 12 "
     "militants were killed.", "Iraqi Defense Ministry"),
    # with two states named, a bare body could be either: it stays as written
    ("Iraqi and Turkish troops raided a hideout near Muqdadiya. The Defense Ministry said "
     "that 12 militants were killed.", "Defense Ministry"),
])
def test_a_state_body_is_named_with_its_state(text, source):
    facts = facts_of(text)
    assert [s[1] for c in facts.claims for s in c.sources][-1] == source
    bare = ("Organization", "Defense Ministry")
    if source != bare[1]:
        assert bare not in facts.entities
        assert all("Defense Ministry" != a for e in facts.entities.values()
                   for a in e.alt_labels)


@pytest.mark.parametrize("text, expected", [
    # "Brig." was split off its period and the parser ended a sentence there
    ("Nigerian Army spokesman Brig. Gen. Onyema Nwachukwu said troops cleared several camps.",
     {("Onyema Nwachukwu", "spokesman", "Nigerian Army")}),
    ("CENTCOM spokesman Lt. Col. Earl Brown said the raid killed two militants.",
     {("Earl Brown", "spokesman", "U.S. Central Command")}),
    # the service before a rank belongs to the rank, and is nobody's name
    ("Pentagon Press Secretary Navy Capt. Jeff Davis said the raid killed two militants.",
     {("Jeff Davis", "press secretary", "U.S. Department of Defense")}),
])
def test_ranks_and_services_between_a_title_and_a_name(text, expected):
    assert memberships(text) == expected
    doc = load_nlp()(text)
    assert len(list(doc.sents)) == 1
    assert not {e for e in facts_of(text).entities if e[1].rstrip(".") in ("Brig", "Lt", "Capt")}


@pytest.mark.parametrize("title", ["Armed Forces Minister", "Foreign Minister",
                                   "Interior Minister", "Prime Minister"])
def test_a_ministers_title_is_not_part_of_the_name(title):
    people = [k[1] for k in facts_of(f"{title} Florence Parly said the strike killed 50 "
                                     "jihadists.").entities if k[0] == "Person"]
    assert people == ["Florence Parly"]


@pytest.mark.parametrize("text, source", [
    ("U.S. Central Command announced a raid in Yemen on Monday. It said that two AQAP leaders "
     "were killed.", "U.S. Central Command"),
    ("The Syrian Observatory for Human Rights reported fighting near Raqqa. Eleven civilians "
     "were killed, it said.", "Syrian Observatory for Human Rights"),
    # the subject that was speaking, not the outlet it spoke through
    ("ISWAP claimed the attack on its Amaq news agency. It said seven soldiers were killed.",
     "Islamic State West Africa Province"),
])
def test_it_said_is_the_organization_just_named(text, source):
    claims = facts_of(text).claims
    assert [s[1] for s in claims[-1].sources] == [source]
    assert "killed" in claims[-1].statement


def test_it_said_with_no_organization_near_is_no_claim():
    text = ("U.S. Central Command announced a raid in Yemen on Monday. The weather was poor. "
            "Roads were closed. It said that two AQAP leaders were killed.")
    assert all("AQAP leaders" not in c.statement for c in facts_of(text).claims)


def test_he_said_after_a_speaker_is_the_speaker_not_the_person_he_named():
    text = ("Maj. Gen. Tahsin al-Khafaji, spokesman for the Joint Operations Command, told the "
            "agency that a local Islamic State leader known as Abu Yasser al-Issawi was among "
            "the dead. He said no Iraqi forces were harmed.")
    assert [[s[1] for s in c.sources] for c in facts_of(text).claims] == [
        ["Tahsin al-Khafaji"], ["Tahsin al-Khafaji"]]


def test_a_list_items_marker_and_topic_are_not_part_of_the_statement():
    text = ("* War in Sudan: The Sudanese Armed Forces say they repelled an attack by the Rapid "
            "Support Forces on the city of El Obeid, killing dozens of fighters; the RSF says "
            "it captured two tanks. (Reuters)")
    claims = facts_of(text).claims
    statements = [c.statement for c in claims]
    assert statements and not any(s.startswith(("*", "War in Sudan")) for s in statements)
    # the second attribution reports the clause after its verb, not the first attribution
    assert [(c.sources[0][1], c.statement) for c in claims][-1] == (
        "RSF", "it captured two tanks")


def test_a_name_the_model_split_in_two_is_one_person():
    text = 'Somali President Hassan Sheikh Mohamud has vowed "total war" against the group.'
    assert [k[1] for k in facts_of(text).entities if k[0] == "Person"] == [
        "Hassan Sheikh Mohamud"]


def test_where_a_statement_was_posted_is_nobody():
    text = ('"This is a major success in the fight against terrorism in the Sahel," Armed '
            'Forces Minister Florence Parly said on Twitter.')
    facts = facts_of(text)
    assert [k[1] for k in facts.entities if k[0] == "Person"] == ["Florence Parly"]
    assert [[s[1] for s in c.sources] for c in facts.claims] == [["Florence Parly"]]


def test_a_name_listed_before_a_place_noun_is_a_place():
    text = ("The Hamrin range, which stretches across Diyala, Salahuddin and Kirkuk provinces, "
            "has become a refuge of Islamic State remnants.")
    kinds = {k[1]: k[0] for k in facts_of(text).entities}
    assert kinds["Salahuddin"] == "Place" and kinds["Kirkuk"] == "Place"
    assert "Person" not in kinds.values()


def test_a_president_of_another_theatre_is_of_its_government():
    assert memberships("Somali President Hassan Sheikh Mohamud said the operation near Jilib "
                       "killed 20 fighters.") == {
        ("Hassan Sheikh Mohamud", "president", "Government of Somalia")}


def test_a_surname_taken_for_a_place_is_the_person_and_a_town_is_no_source():
    got = claims("Col. Ahmed al-Jabouri commands the brigade. \"The raid killed 12 fighters,\" "
                 "Jabouri said. Mosul said that the curfew would end on Monday.")
    assert [(g[0], g[1]) for g in got] == [(["Ahmed al-Jabouri"], "The raid killed 12 fighters")]


def test_a_place_behind_a_preposition_is_no_source():
    # where the reports came from, not who made them
    assert claims("Activists cited reports from Aleppo that 25 civilians died in the "
                  "shelling.") == []


def test_definite_source_resolves_to_the_earlier_one():
    got = claims("A U.S. official said U.S. forces intercepted a vehicle. The official, who spoke "
                 "on the condition of anonymity, said there were no American casualties.")
    assert [g[0] for g in got] == [["U.S. official"], ["U.S. official"]]


def test_direct_quote_with_pronoun_speaker():
    text = ("Col. John Dorrian, spokesman for the U.S.-led coalition, confirmed the raid. "
            "“The Coalition can confirm a U.S. operation in the vicinity of Deir al-Zour. We will "
            "continue to pursue ISIL leaders,” he said in an e-mail.")
    got = claims(text)
    quote = [g for g in got if g[1].startswith("The Coalition can confirm")]
    assert quote and quote[0][0] == ["John Dorrian"]
    assert not any(g[0] == ["Combined Joint Task Force – Operation Inherent Resolve"] for g in got)


def test_apposition_names_the_source_and_hedge():
    got = claims("Another activist group, Sound and Picture, said two ISIL prisoners were freed, "
                 "but the details could not be independently confirmed.")
    assert got == [(["Sound and Picture"], "two ISIL prisoners were freed", "Reportedly")]


def test_declined_to_say_is_no_claim():
    got = claims("A U.S. official said U.S. forces intercepted a vehicle, but declined to say "
                 "whether the militants had been captured or killed.")
    assert got == [(["U.S. official"], "U.S. forces intercepted a vehicle", "Asserted")]


def test_claim_of_responsibility_is_about_the_attack():
    text = ("Masked militants attack an Egyptian Army checkpoint in a village south of Rafah, "
            "killing at least 23 soldiers. The Islamic State of Iraq and Syria later claims "
            "responsibility.")
    f = facts_of(text, dt.date(2017, 7, 7))
    assert [c.statement for c in f.claims] == ["claims responsibility"]
    assert f.claims[0].about == 0 and f.claims[0].hedge == "Claimed"
    assert f.operations[0].outcomes[0].count == 23


@pytest.mark.parametrize("text,expected", [
    ("25 ISIL members were killed in the operation", [("killed", 25, None)]),
    ("one person was killed and another injured", [("killed", 1, None), ("wounded", 1, None)]),
    ("five ISIL militants were captured and at least 10 killed in that raid",
     [("captured", 5, None), ("killed", 10, "at least")]),
    ("killing at least 20 people and injuring more than 50",
     [("killed", 20, "at least"), ("wounded", 50, "more than")]),
    ("The blast killed 20 in Kabul.", [("killed", 20, None)]),
])
def test_casualty_figures(text, expected):
    got = [(f.casualty_type, f.count, f.qualifier) for f in extract_figures(text)]
    for e in expected:
        assert e in got


@pytest.mark.parametrize("text,expected", [
    ("three soldiers died", [("killed", 3, None, "soldiers")]),
    ("at least 20 people died in the bombing", [("killed", 20, "at least", "people")]),
    ("two civilians are dead", [("killed", 2, None, "civilians")]),
    ("one of them died", [("killed", 1, None, None)]),
    # a year or someone's relative is not a death toll
    ("In 2015 his father died", []),
    ("The 1990 war died down", []),
])
def test_deaths_told_without_a_killer_are_killed_figures(text, expected):
    got = [(f.casualty_type, f.count, f.qualifier, f.subject) for f in extract_figures(text)]
    assert got == expected


@pytest.mark.parametrize("text,expected", [
    ("A Taliban attack on an army base kills at least 140 soldiers",
     [("killed", 140, "at least", "soldiers")]),
    ("Gunmen kill five and injure 12 others",
     [("killed", 5, None, None), ("wounded", 12, None, "others")]),
    # intentions and possibilities are no toll
    ("Militants vowed to kill 100 soldiers", []),
    ("The bomb could kill 20 people", []),
    ("He died of his wounds 2 days later", []),
])
def test_headline_present_tense_figures(text, expected):
    got = [(f.casualty_type, f.count, f.qualifier, f.subject) for f in extract_figures(text)]
    assert got == expected


@pytest.mark.parametrize("text,date", [
    # "airstrikes" tagged VBZ: the word is only ever a noun; the verb it governs has the tense
    ("Saudi-led coalition airstrikes on a funeral hall in Sanaa kill 140 people, Houthi "
     "officials say.", "2016-10-09"),
    ("U.S. airstrikes in support of Afghan forces killed 140 militants in Sanaa on Friday.",
     "2016-10-07"),
    ("U.S. airstrikes in support of Afghan forces killed 140 militants in Sanaa.", None),
])
def test_a_plural_trigger_the_tagger_reads_as_a_verb_is_an_operation(text, date):
    facts = facts_of(text, dt.date(2016, 10, 9))
    assert [(o.op_type, [p[1] for p in o.places], [(f.count, f.casualty_type)
             for f in o.outcomes], o.time.value if o.time else None)
            for o in facts.operations] == [("Airstrike", ["Sanaa"], [(140, "killed")], date)]


@pytest.mark.parametrize("text,expected", [
    ("A bomb killed 20 people in Kabul on Sunday.", [("Bombing", ["Kabul"], "2017-01-08")]),
    ("A bomb exploded near a market in Baghdad on Sunday.",
     [("Bombing", ["Baghdad"], "2017-01-08")]),
    ("Two people were killed by a bomb in Quetta on Friday.",
     [("Bombing", ["Quetta"], "2017-01-06")]),
    ("Government helicopters dropped barrel bombs on Daraya on Saturday.",
     [("Airstrike", ["Daraya"], "2017-01-07")]),
    ("Warplanes dropped bombs on Idlib on Sunday.", [("Airstrike", ["Idlib"], "2017-01-08")]),
    # a bomb found, defused or seized is a weapon, not a bombing; seizing it takes no place
    ("Police found a bomb in a car in Mosul.", []),
    ("The army defused a bomb in Kirkuk.", []),
    ("Police seized two car bombs in Baghdad.", []),
    ("Rebels seized the town of Kafr Nabudah on Monday.",
     [("Capture", ["Kafr Nabudah"], "2017-01-09")]),
    # a post is a place troops hold, not something said
    ("Militants attacked an army post in Sinai.", [("Attack", ["Sinai"], None)]),
    ("Turkish forces shelled YPG positions in Afrin on Sunday.",
     [("Strike", ["Afrin"], "2017-01-08")]),
    # missiles fired, a commander known by his post killed
    ("Militants fired three rockets into northern Israel on Sunday.",
     [("Attack", ["northern Israel"], "2017-01-08")]),
    ("Houthi rebels fire a ballistic missile toward Riyadh.",
     [("Attack", ["Riyadh"], "2017-01-10")]),
    ("Unidentified gunmen killed a senior Hezbollah commander near Damascus on Sunday.",
     [("Attack", ["Damascus"], "2017-01-08")]),
    ("The company launched a missile defense program in Riyadh.", []),
    # a conjoined participle shares the auxiliary: headline present tense
    ("Two U.S. soldiers are killed and four wounded during a raid in Nangarhar Province.",
     [("Raid", ["Nangarhar Province"], "2017-01-10")]),
])
def test_bombs_that_went_off_or_were_dropped(text, expected):
    ops = facts_of(text, dt.date(2017, 1, 10)).operations
    assert [(o.op_type, [p[1] for p in o.places], o.time.value if o.time else None)
            for o in ops] == expected


def test_a_claim_of_responsibility_and_what_the_group_said_with_it():
    got = facts_of("A bomb killed 20 people in Kabul on Sunday. The Taliban claimed "
                   "responsibility, saying the target was a police convoy.",
                   dt.date(2017, 1, 10)).claims
    assert [(c.statement, c.hedge, c.about) for c in got] == [
        ("claimed responsibility", "Claimed", 0),
        ("the target was a police convoy", "Asserted", 0)]


@pytest.mark.parametrize("text,date", [
    ("Afghan special forces, supported by U.S. airstrikes, killed 25 Taliban fighters in "
     "Kunduz province on Sunday, the Afghan Defense Ministry said.", "2017-01-08"),
    ("Gunmen backed by mortar fire killed 12 soldiers at a checkpoint in Arish on Friday.",
     "2017-01-06"),
])
def test_a_killing_backed_by_strikes_is_one_operation(text, date):
    ops = facts_of(text, dt.date(2017, 1, 10)).operations
    assert [(o.time.value if o.time else None, len(o.outcomes)) for o in ops] == [(date, 1)]


@pytest.mark.parametrize("text, expected", [
    # the noun a killing counts is read on past its first word, to its head
    ("The strike killed 3 car passengers near Mosul.", [("killed", 3, "car passengers")]),
    ("Coalition forces killed 25 ISIL fighters near Raqqa on Sunday.",
     [("killed", 25, "ISIL fighters")]),
    ("Militants stormed the base, killing 12 police officers.",
     [("killed", 12, "police officers")]),
    ("The attack killed four Iraqi federal police officers.",
     [("killed", 4, "Iraqi federal police officers")]),
    ("Gunmen killed four aid workers and a guard in Jalalabad.",
     [("killed", 4, "aid workers")]),
    # ... and no further: a relative clause, a day, "of the group" are no part of it
    ("A suicide bomber killed 14 people who were waiting at a checkpoint.",
     [("killed", 14, "people")]),
    ("Gunmen killed three civilians Sunday.", [("killed", 3, "civilians")]),
    ("U.S. forces killed 3 members of the group.", [("killed", 3, "members")]),
    ("The blast killed 20 in Kabul.", [("killed", 20, None)]),
])
def test_the_counted_noun_of_an_active_figure_is_the_whole_phrase(text, expected):
    assert [(f.casualty_type, f.count, f.subject) for f in extract_figures(text)] == expected


@pytest.mark.parametrize("text, expected", [
    ("Police arrested 15 suspected Islamic State militants in Tikrit.",
     [("detained", 15, "suspected Islamic State militants")]),
    ("Troops raided the village, arresting 12 suspects.", [("detained", 12, "suspects")]),
    ("Special forces rescued 30 hostages held by Boko Haram.", [("freed", 30, "hostages")]),
    ("The army said it had freed 30 hostages trapped in the school.", [("freed", 30, "hostages")]),
    ("Kurdish forces stormed the town, capturing 40 militants.", [("captured", 40, "militants")]),
    ("The strike killed 12 Afghan armed forces members.",
     [("killed", 12, "Afghan armed forces members")]),
])
def test_arrests_and_rescues_told_actively_are_figures(text, expected):
    assert [(f.casualty_type, f.count, f.subject) for f in extract_figures(text)] == expected


def test_a_conjoined_figure_keeps_its_own_subject():
    got = [(f.casualty_type, f.count, f.subject) for f in extract_figures(
        "Twenty ISIL militants were killed and 10 Lebanese soldiers were wounded.")]
    assert got == [("killed", 20, "ISIL militants"), ("wounded", 10, "Lebanese soldiers")]
    got = [(f.casualty_type, f.subject) for f in extract_figures(
        "Three U.S. service members were killed and two were wounded.")]
    assert got == [("killed", "U.S. service members"), ("wounded", "U.S. service members")]


@pytest.mark.parametrize("qualifier", [None, "at least", "about", "around", "more than", "over",
                                       "nearly", "almost", "up to", "some", "roughly"])
@pytest.mark.parametrize("number,count", [("25", 25), ("1,200", 1200), ("three", 3),
                                          ("eleven", 11), ("twenty", 20), ("hundred", 100),
                                          ("dozens", 24), ("Seven", 7), ("NINE", 9)])
def test_every_number_word_and_qualifier_makes_a_figure(number, count, qualifier):
    """The figure patterns skip words by their first letter: every number word and qualifier
    they know still starts a figure, in any case, after other words."""
    said = f"{qualifier} {number}" if qualifier else number
    text = f"Officials in the city said {said} militants were killed in the raid"
    got = [(f.casualty_type, f.count, f.qualifier) for f in extract_figures(text)]
    # "dozens" is a lower bound whatever qualifies it
    assert got == [("killed", count, "at least" if number == "dozens" else qualifier)]


@pytest.mark.parametrize("text,figure", [
    ("Dozens of militants were killed in the raid.", ("killed", 24, "at least", "militants")),
    ("The army said dozens were killed.", ("killed", 24, "at least", None)),
    ("The strike killed dozens of Iraqi soldiers near the town.",
     ("killed", 24, "at least", "Iraqi soldiers")),
    ("Hundreds of civilians were wounded in the siege.",
     ("wounded", 200, "at least", "civilians")),
    ("The shelling killed thousands, the ministry said.", ("killed", 2000, "at least", None)),
])
def test_a_vague_plural_is_its_least_count_and_says_so(text, figure):
    """"Dozens" is no number: the figure is the least it can mean, marked "at least", so no
    reader takes 24 for a count the source gave."""
    assert [(f.casualty_type, f.count, f.qualifier, f.subject)
            for f in extract_figures(text)] == [figure]


def test_some_of_a_group_is_still_no_figure():
    # whose two? the pattern cannot tell the hostages' number from the killed
    assert extract_figures("The attack killed two of the hostages.") == []


@pytest.mark.parametrize("verb,kind", [("killed", "killed"), ("wounded", "wounded"),
                                       ("injured", "wounded"), ("detained", "detained"),
                                       ("arrested", "detained"), ("captured", "captured"),
                                       ("freed", "freed"), ("released", "freed"),
                                       ("rescued", "freed"), ("Killed", "killed")])
def test_every_casualty_verb_makes_a_figure(verb, kind):
    text = f"Officials said 12 people were {verb} near the town"
    assert [(f.casualty_type, f.count) for f in extract_figures(text)] == [(kind, 12)]


def test_evidence_offsets_point_into_the_article_text():
    text = "Intro line.\n\nThe Britain-based Syrian Observatory for Human Rights said that 25 were killed."
    doc = load_nlp()(text[5:])
    f = extract(doc, offset=5)
    ev = f.claims[0].evidence
    assert text[ev.start:ev.end] == ev.sentence


def test_organization_inside_the_title_before_a_name():
    got = memberships("U.S. forces conducted a helicopter raid in northeast Syria on Feb. 16, "
                      "2023, killing senior ISIS official Hamza al-Homsi, CENTCOM said.")
    assert ("Hamza al-Homsi", "senior official", "Islamic State") in got


def test_nationality_before_a_government_title():
    got = memberships("Iraqi Prime Minister Haider al-Abadi declared victory over the Islamic State.")
    assert got == {("Haider al-Abadi", "prime minister", "Government of Iraq")}


def test_institution_as_source_and_plural_specific_strikes():
    text = ("Iraqi security forces killed 12 Islamic State militants in an airstrike in Anbar "
            "province on Tuesday, the Iraqi military said in a statement.")
    f = facts_of(text, dt.date(2019, 10, 28))
    assert [([s[1] for s in c.sources]) for c in f.claims] == [["Iraqi military"]]
    assert f.entities[("Organization", "Iraqi military")].kind == "Organization"
    assert [(o.places[0][1], o.time.value) for o in f.operations] == \
        [("Al Anbar Governorate", "2019-10-22")]
    plural = ops("Coalition airstrikes killed more than 20 ISIL fighters near Manbij on Monday, "
                 "Pentagon Press Secretary Peter Cook told reporters.", dt.date(2016, 6, 15))
    assert [(o.op_type, o.places[0][1], o.time.value) for o in plural] == \
        [("Airstrike", "Manbij", "2016-06-13")]


def test_according_to_a_statement_from_an_organization():
    got = claims("According to a statement from the U.S. Central Command, a separate airstrike "
                 "near Mosul on June 13 destroyed an ISIL weapons cache.", dt.date(2016, 6, 15))
    assert got == [(["U.S. Central Command"], "a separate airstrike near Mosul on June 13 "
                    "destroyed an ISIL weapons cache", "Asserted")]


@pytest.mark.parametrize("text, source, statement", [
    # the phrase between the commas says who the source is; it is no part of the claim
    ("According to Amaq, the Islamic State's news agency, the attacker was a soldier of the "
     "caliphate.", "Amaq News Agency", "the attacker was a soldier of the caliphate"),
    ("According to the Syrian Observatory for Human Rights, a Britain-based monitoring group, "
     "25 civilians were killed.", "Syrian Observatory for Human Rights",
     "25 civilians were killed"),
    # ... but the subject of the claim, set off by a relative clause, is
    ("According to officials, the Taliban, who control the district, attacked the checkpoint.",
     "officials", "the Taliban, who control the district, attacked the checkpoint"),
])
def test_according_to_a_source_and_who_it_is(text, source, statement):
    assert [(c[0], c[1]) for c in claims(text)] == [([source], statement)]


def test_another_place_without_article_is_another_operation():
    text = ("Abu Bakr al-Baghdadi was killed in a U.S. special operations raid in Idlib province "
            "on Saturday night. The Syrian Democratic Forces said its fighters captured the town "
            "of Baghouz last week.")
    got = ops(text, dt.date(2019, 10, 28))
    assert [[p[1] for p in o.places] for o in got] == [["Idlib Governorate"], ["Baghouz"]]
    assert got[1].time is None  # "last week" gives no date


def test_headline_claim_of_responsibility_even_when_mistagged():
    text = ("Two suicide bombings take place in vegetable markets in eastern Baghdad, killing at "
            "least 20 people. The Islamic State in Iraq and the Levant claims responsibility.")
    f = facts_of(text, dt.date(2017, 1, 8))
    assert [(c.sources[0][1], c.statement, c.about) for c in f.claims] == \
        [("Islamic State", "claims responsibility", 0)]
    assert f.operations[0].time.value == "2017-01-08"


def test_plural_attacks_without_a_date_are_generic():
    text = ("Raqqa was a key location for ISIS' planning of terrorist activities throughout the "
            "world, including attacks in Paris and Nice in France.")
    assert ops(text, dt.date(2017, 10, 20)) == []


def test_plural_strikes_with_a_toll_are_particular_even_when_the_day_is_the_statements():
    text = ("Iraqi jets killed 12 Islamic State militants in strikes on hideouts in the Hamrin "
            "mountains of Diyala province, the command said on Monday. The command said the "
            "strikes were carried out on Saturday.")
    got = ops(text, dt.date(2022, 4, 4))
    assert [(o.op_type, sorted(p[1] for p in o.places), o.time.value if o.time else None)
            for o in got] == [("Strike", ["Diyala Governorate", "Hamrin Mountains"],
                               "2022-04-02")]


def test_role_before_the_name_and_ranks_do_not_end_sentences():
    got = memberships("A spokesman for the Iraqi army, Brig. Gen. Yahya Rasool, said troops had "
                      "recaptured the Mosul airport on Thursday.")
    assert got == {("Yahya Rasool", "spokesman", "Iraqi army")}


@pytest.mark.parametrize("text, first", [
    ("Strikes in Syria\nFighter aircraft conducted five strikes near Raqqa, officials said.",
     "Fighter aircraft conducted five strikes near Raqqa, officials said."),
    ("Details\nSOUTHWEST ASIA, Feb. 15, 2017 — Coalition forces struck near Raqqa, officials "
     "said.", "SOUTHWEST ASIA, Feb. 15, 2017 — Coalition forces struck near Raqqa, officials "
     "said."),
])
def test_a_lines_first_word_is_not_a_sentence_of_its_own(text, first):
    """The parser split 'Fighter' (and 'SOUTHWEST') from the rest of the line after a
    heading; the evidence sentence and the statement lost it."""
    doc = load_nlp()(text)
    assert [s.text.strip() for s in doc.sents][1] == first
    got = claims(text)
    assert got and got[0][1].split()[0] in ("Fighter", "Coalition")


@pytest.mark.parametrize("modifier", ["Kurdish-led", "U.S.-backed"])
def test_role_for_a_modified_organization_then_name(modifier):
    got = memberships(f"A spokesman for the {modifier} Syrian Democratic Forces, Mustafa Bali, "
                      "said the fighting continued.")
    assert got == {("Mustafa Bali", "spokesman", "Syrian Democratic Forces")}


def test_a_country_name_before_a_comma_is_not_part_of_the_next_organization():
    # the model read "Niger, French Armed Forces" as one organization
    text = ("The strike took place in August in the Menaka region, near the border with Niger, "
            "French Armed Forces Minister Florence Parly said.")
    doc = load_nlp()(text)
    assert ("Niger", "GPE") in [(e.text, e.label_) for e in doc.ents]
    # a state's minister is of its government, as everywhere else (the model's "French Armed
    # Forces" took the title's words)
    assert memberships(text) == {("Florence Parly", "armed forces minister",
                                  "Government of France")}


def test_the_country_of_the_border_with_is_a_landmark_beside_the_place():
    got = ops("A drone strike in the Menaka region, near the border with Niger, killed him in "
              "August.", dt.date(2021, 9, 17))
    assert [[p[1] for p in o.places] for o in got] == [["Ménaka"]]
    got = ops("Turkish forces launched an offensive along the border with Syria on Monday.",
              dt.date(2017, 1, 10))
    assert [[p[1] for p in o.places] for o in got] == [["Syria"]]  # nothing else named


def test_idf_is_the_israel_defense_forces():
    got = claims("Israeli aircraft struck Hamas targets in the Gaza Strip, the Israel Defense "
                 "Forces said. The IDF said the strikes were in response to rockets.")
    assert [c[0] for c in got] == [["Israel Defense Forces"], ["Israel Defense Forces"]]


def test_anti_group_coalition_is_not_the_group():
    got = memberships("“We will continue to hunt down ISIS leaders,” said Brett McGurk, the U.S. "
                      "envoy to the anti-ISIS coalition.")
    assert got == {("Brett McGurk", "envoy", "Combined Joint Task Force – Operation Inherent Resolve")}


def test_place_named_by_a_facility():
    got = ops("Iraqi troops recaptured the Mosul airport on Thursday, a spokesman said.",
              dt.date(2017, 3, 2))
    assert [(o.op_type, o.places[0][1], o.time.value) for o in got] == \
        [("Capture", "Mosul", "2017-03-02")]


def test_briefing_speaker_claims_what_is_said_about_an_armed_group_member():
    text = ("PETER COOK:  Afternoon, everybody.\n\nMR. COOK:  Let me try my best. "
            "Abu Afghan al-Masri, an Egyptian, originally joined Al Qaeda in Afghanistan. "
            "Secretary Carter spoke this morning by phone with President Masoud Barzani.\n\n"
            "Q:  Is ISIL still holding Raqqa and killing civilians there?\n")
    got = claims(text)
    assert got == [(["Peter Cook"], "Abu Afghan al-Masri, an Egyptian, originally joined Al Qaeda "
                                    "in Afghanistan", "Asserted")]


@pytest.mark.parametrize("text,expected", [
    ("Reports by the Syrian Observatory for Human Rights that 25 civilians died in the strike "
     "were denied by the coalition.",
     [(["Syrian Observatory for Human Rights"], "25 civilians died in the strike", "Asserted")]),
    ("The coalition rejected the allegation from local activists that the strike hit a "
     "mosque.", [(["local activists"], "the strike hit a mosque", "Claimed")]),
    ("The claim that the strike hit a mosque is false.", []),  # nobody's claim
])
def test_a_claim_told_as_a_noun(text, expected):
    assert claims(text) == expected


def test_a_briefing_speakers_courtesies_are_no_claims():
    text = ("SECRETARY OF DEFENSE ASH CARTER:  Good afternoon.\n\n"
            "SEC. CARTER:  I want to start by reiterating that our thoughts and prayers remain "
            "with all those affected by Tuesday's bombing in Brussels. Let me thank General "
            "Dunford and the men and women fighting ISIL in Iraq and Syria for their work. "
            "The U.S. military killed Haji Imam, an ISIL senior leader, this week in Syria.\n")
    got = claims(text, dt.date(2016, 3, 25))
    assert [statement for _s, statement, _h in got] == [
        "The U.S. military killed Haji Imam, an ISIL senior leader, this week in Syria"]


def test_unknown_place_in_a_town_of_frame_and_unknown_group_membership():
    text = ("Abu Abdul Rahman al-Makki, a senior leader of Hurras al-Din, an al-Qaeda affiliate, "
            "was killed in a drone strike near the town of Atmeh on June 20, officials said.")
    f = facts_of(text, dt.date(2023, 7, 10))
    assert [(o.op_type, o.places[0][1], o.time.value) for o in f.operations] == \
        [("DroneStrike", "Atmeh", "2023-06-20")]
    assert ("Abu Abdul Rahman al-Makki", "senior leader", "Hurras al-Din") in \
        {(m.person[1], m.role, m.organization[1]) for m in f.memberships}


def test_membership_from_verbs_of_leading_and_joining():
    got = memberships("The strike killed Abu Omar al-Shishani, who led ISIS's military operations "
                      "in Syria.")
    assert got == {("Abu Omar al-Shishani", "leader", "Islamic State")}
    assert memberships("He said he did not join the Taliban.") == set()


def test_a_present_tense_description_is_not_todays_date():
    got = ops("The raid near Qamishli is the first known operation in a zone held by the regime.",
              dt.date(2017, 1, 9))
    assert len(got) == 1 and got[0].time is None


def test_wire_story_dateline_inverted_source_and_anaphora():
    text = ("BEIRUT (Reuters) - U.S.-led coalition air strikes killed at least 12 civilians in the "
            "Syrian city of Raqqa on Wednesday, the Syrian Observatory for Human Rights said.\n\n"
            "The Britain-based monitor said the strikes hit a residential building.\n\n"
            "A coalition spokesman, U.S. Army Col. Ryan Dillon, said the coalition was looking into "
            "the report. \"We take all allegations of civilian casualties seriously,\" Dillon said.\n\n"
            "Islamic State's Amaq news agency said 20 people were killed.")
    f = facts_of(text, dt.date(2017, 5, 25))
    got = [(c.sources[0][1], c.statement) for c in f.claims]
    assert ("Syrian Observatory for Human Rights", "U.S.-led coalition air strikes killed at least "
            "12 civilians in the Syrian city of Raqqa on Wednesday") in got
    assert ("Syrian Observatory for Human Rights", "the strikes hit a residential building") in got
    assert ("Ryan Dillon", "We take all allegations of civilian casualties seriously") in got
    assert ("Amaq News Agency", "20 people were killed") in got
    assert [(o.op_type, o.places[0][1], o.time.value) for o in f.operations] == \
        [("Airstrike", "Raqqa", "2017-05-24")]
    assert ("Ryan Dillon", "spokesman", "Combined Joint Task Force – Operation Inherent Resolve") in \
        {(m.person[1], m.role, m.organization[1]) for m in f.memberships}


@pytest.mark.parametrize("text,published,expected", [
    ("\nIraqi forces launch an offensive to retake Tal Afar from ISIL, Prime Minister Haider "
     "al-Abadi announces.\n", dt.date(2017, 8, 20), ("Offensive", "Tal Afar", "2017-08-20")),
    ("A suicide bomber kills at least 50 people at a wedding in Gaziantep, Turkey.",
     dt.date(2016, 8, 21), ("Bombing", "Gaziantep", "2016-08-21")),
    ("Kurdish Peshmerga forces, backed by U.S.-led airstrikes, recapture the town of Sinjar from "
     "ISIL.", dt.date(2015, 11, 13), ("Capture", "Sinjar", "2015-11-13")),
])
def test_current_events_items(text, published, expected):
    got = ops(text, published)
    assert [(o.op_type, o.places[0][1], o.time.value) for o in got] == [expected]


def test_headline_attribution_at_the_end():
    got = claims("\nIraqi forces launch an offensive to retake Tal Afar from ISIL, Prime Minister "
                 "Haider al-Abadi announces.\n", dt.date(2017, 8, 20))
    assert got == [(["Haider al-Abadi"], "Iraqi forces launch an offensive to retake Tal Afar "
                    "from ISIL", "Confirmed")]


def test_a_purpose_clause_does_not_lend_its_tense():
    got = ops("Iraqi Prime Minister Haider al-Abadi arrives in Mosul to congratulate the armed "
              "forces on the city's liberation from ISIL.", dt.date(2017, 7, 10))
    assert [o.time for o in got] == [None]


def test_parenthetical_attribution_keeps_the_whole_statement():
    text = ("SECRETARY OF DEFENSE ASH CARTER: Indeed, the U.S. military killed several key ISIL "
            "terrorists this week, including, we believe, Haji Imam who was an ISIL senior leader.")
    got = claims(text)
    assert any(g[0] == ["Ash Carter"] and g[1].endswith("including Haji Imam who was an ISIL "
                                                         "senior leader") for g in got)


def test_member_adds_nothing_to_a_known_role():
    got = memberships("U.S. forces conducted a precision airstrike near Sirmata, Syria that killed "
                      "Abu Afghan al-Masri, a senior Al Qaeda leader, in Syria. Al-Masri, an "
                      "Egyptian, originally joined Al Qaeda in Afghanistan.")
    assert got == {("Abu Afghan al-Masri", "senior leader", "Al-Qaeda")}


def test_two_trailing_attributions_split_the_statement():
    got = claims("The Syrian city of Raqqa has been liberated from the Islamic State of Iraq and "
                 "Syria, the coalition's Syrian Democratic Forces partners announced today, "
                 "Combined Joint Task Force Operation Inherent Resolve officials reported.")
    statement = "The Syrian city of Raqqa has been liberated from the Islamic State of Iraq and Syria"
    assert (["Syrian Democratic Forces"], statement, "Confirmed") in got
    assert any(g[1] == statement and "officials" in g[0][0] for g in got)


def test_broad_places_are_countries_regions_and_direction_named_parts() -> None:
    from kgraid.facts import ArticleFacts, Entity, is_broad_place
    facts = ArticleFacts(entities={
        ("Place", "Syria"): Entity("Place", "Syria", entity_type="country"),
        ("Place", "Raqqa"): Entity("Place", "Raqqa", entity_type="city"),
        ("Place", "north-eastern Syria"): Entity("Place", "north-eastern Syria")})
    assert facts.is_broad_place(("Place", "Syria"))
    assert facts.is_broad_place(("Place", "north-eastern Syria"))
    assert not facts.is_broad_place(("Place", "Raqqa"))
    # a place named by a direction is a part of a wider place even when no entity backs it
    assert is_broad_place(("Place", "Northern Iraq"), None)
    assert not is_broad_place(("Place", "Deir al-Zour"), None)


@pytest.mark.parametrize("text, coalition", [
    ("The Saudi-led coalition carried out airstrikes on Sanaa on Monday. The coalition said it "
     "targeted Houthi military sites.", "Saudi-led coalition"),
    ("The Saudi-led Arab coalition struck Sanaa on Monday. The coalition said it hit a depot.",
     "Saudi-led coalition"),
    # not in the gazetteer: kept as written, with its bare mentions
    ("A Russian-led military coalition struck Idlib on Monday. The coalition said 20 militants "
     "were killed.", "Russian-led military coalition"),
    # the U.S.-led one stays the counter-ISIL coalition, named or bare
    ("The U.S.-led coalition struck Mosul on Monday. The coalition said 20 militants were killed.",
     "Combined Joint Task Force – Operation Inherent Resolve"),
    ("Coalition forces struck Mosul on Monday. The coalition said 20 militants were killed.",
     "Combined Joint Task Force – Operation Inherent Resolve"),
])
def test_a_coalition_led_by_another_state_is_its_own_organization(text, coalition):
    facts = facts_of(text, dt.date(2020, 3, 4))
    assert [c.sources[0][1] for c in facts.claims] == [coalition]
    assert [a[1] for o in facts.operations for a in o.actors] == [coalition]


@pytest.mark.parametrize("text, expected", [
    ("Gunmen killed 12 farmers in Borno on Tuesday.", [("Attack", "2020-05-05", "Borno State")]),
    ("Last month, gunmen killed 20 people in the village of Kumshe, residents said.",
     [("Attack", "2020-04", "Kumshe")]),
    ("Nigerian troops killed 30 Boko Haram fighters in Borno on Sunday.",
     [("GenericOperation", "2020-05-03", "Borno State")]),
    ("Al-Shabab killed 12 soldiers in Lower Shabelle on Friday.",
     [("Attack", "2020-05-01", "Lower Shabelle")]),
    # the toll of an operation named in the sentence, not another operation
    ("Coalition airstrikes killed 20 fighters near Manbij on Monday.",
     [("Airstrike", "2020-05-04", "Manbij")]),
    # the killing told again is the attack told before
    ("Militants attacked the village of Kumshe on Sunday. The militants killed 20 people.",
     [("Attack", "2020-05-03", "Kumshe")]),
    # no toll, or not armed men: no operation
    ("Gunmen killed the village chief in Kumshe on Sunday.", []),
    ("Floods killed 20 people in Borno on Sunday.", []),
    ("Gunmen were killed in Borno on Sunday.", []),
])
def test_armed_men_killing_a_counted_toll_is_an_operation(text, expected):
    got = ops(text, dt.date(2020, 5, 7))
    assert [(o.op_type, o.time.value, o.places[0][1]) for o in got] == expected


def test_an_organization_written_in_another_case_is_the_one_named_before():
    facts = facts_of("The Nigerian Army launched an offensive in Borno. The Nigerian army said "
                     "troops killed 30 Boko Haram fighters in Borno on Sunday.", dt.date(2020, 5, 7))
    assert [c.sources for c in facts.claims] == [[("Organization", "Nigerian Army")]]
    assert ("Organization", "Nigerian army") not in facts.entities


@pytest.mark.parametrize("text, expected", [
    # a name after a rank is a person's, whatever the model tagged it
    ("Nigerian Army spokesman Col. Aminu Iliyasu said troops repelled the attack.",
     {("Aminu Iliyasu", "spokesman", "Nigerian Army")}),
    ("The Nigerian Army repelled an attack in Borno. Army spokesman Col. Aminu Iliyasu said "
     "troops killed 12 militants.", {("Aminu Iliyasu", "spokesman", "Nigerian Army")}),
    ("Nigerian troops attacked a camp in Borno. Army spokesman Brig. Gen. Onyema Nwachukwu "
     "said troops cleared several camps.", {("Onyema Nwachukwu", "spokesman", "Nigerian Army")}),
    # a bare service with no state named: whose army it is is unknown
    ("Army spokesman Col. Aminu Iliyasu said troops repelled the attack.", set()),
])
def test_a_ranked_name_and_a_services_spokesman(text, expected):
    assert memberships(text) == expected


@pytest.mark.parametrize("text, source", [
    ("Col. John Dorrian, a coalition spokesman, described the raid in Mosul. The spokesman said "
     "12 militants were killed.", "John Dorrian"),
    ("Governor Babagana Zulum visited Kumshe. Gunmen killed 12 farmers in Borno on Tuesday, the "
     "governor said.", "Babagana Zulum"),
    # two spokesmen named: "the spokesman" is neither for sure
    ("Col. John Dorrian, a coalition spokesman, and Capt. Jeff Davis, a Pentagon spokesman, "
     "described the raid in Mosul. The spokesman said 12 militants were killed.", "spokesman"),
    # none named: an unnamed source, as "the state governor" and "villagers" are
    ("The spokesman said 12 militants were killed in Mosul.", "spokesman"),
    ("Gunmen killed 12 farmers in Borno on Tuesday, the state governor said.", "state governor"),
    ("Villagers said gunmen killed 12 farmers in Borno on Tuesday.", "Villagers"),
])
def test_the_holder_of_a_role_named_before_is_the_source(text, source):
    assert [c[0] for c in claims(text, dt.date(2020, 5, 7))] == [[source]]


@pytest.mark.parametrize("text, expected", [
    # the date in the operation's own phrase, not the report's
    ("The Pentagon released its report on Thursday into the 2017 ambush in Niger that killed "
     "four U.S. soldiers.", [("Attack", "2017", "Niger")]),
    ("Officials said Monday's raid in Mosul killed 12 militants.", [("Raid", "2020-05-04", "Mosul")]),
    # an attributive year dates only its own noun
    ("Insurgents attacked a checkpoint in Kirkuk on Tuesday, a year after the 2019 offensive "
     "on the city.", [("Attack", "2020-05-05", "Kirkuk"), ("Offensive", "2019", "Kirkuk")]),
    # "since": a period's start, no operation's date, save how a place came to be held
    ("The Saudi-led coalition has carried out airstrikes in Yemen since 2015.", []),
    ("ISIS has occupied Mosul since 2014.", [("Capture", "2014", "Mosul")]),
])
def test_a_date_in_the_operations_own_phrase_and_since(text, expected):
    got = ops(text, dt.date(2020, 5, 7))
    assert [(o.op_type, o.time.value if o.time else None, o.places[0][1]) for o in got] == expected


@pytest.mark.parametrize("text, expected", [
    ("Houthi rebels attacked Abqaiq on Saturday. The group's military spokesman, Yahya Sarea, "
     "said ten drones were used.", {("Yahya Sarea", "military spokesman", "Houthis")}),
    ("Brig. Gen. Yahya Rasool, military spokesman for Iraq's Joint Operations Command, said 20 "
     "militants were killed.", {("Yahya Rasool", "military spokesman", "Joint Operations Command")}),
])
def test_a_military_spokesman_keeps_the_word_and_the_group_it_speaks_for(text, expected):
    assert memberships(text) == expected


@pytest.mark.parametrize("text, expected", [
    # names the model tagged ORG or GPE, in apposition to a role: people
    ("French forces killed Abdelmalek Droukdel, the leader of al-Qaeda in the Islamic Maghreb, "
     "in Mali.", {("Abdelmalek Droukdel", "leader", "Al-Qaeda in the Islamic Maghreb")}),
    # the state before a minister's title the model took for an organization's name
    ("French forces struck in Mali, French Armed Forces Minister Florence Parly said.",
     {("Florence Parly", "armed forces minister", "Government of France")}),
    ("Resolute Support spokesman Col. Sonny Leggett said the soldier was killed.",
     {("Sonny Leggett", "spokesman", "Resolute Support Mission")}),
])
def test_people_and_owners_the_model_mistagged(text, expected):
    assert memberships(text) == expected


def test_a_person_in_apposition_to_a_role_is_no_place():
    facts = facts_of("Hamas said one of its commanders, Bassem Issa, was killed in an airstrike "
                     "on a building in Gaza City.", dt.date(2021, 5, 12))
    assert [[p[1] for p in o.places] for o in facts.operations] == [["Gaza City"]]
    assert ("Person", "Bassem Issa") in facts.entities


def test_a_service_members_hometown_is_not_where_the_operation_was():
    got = ops("Sgt. 1st Class Dustin Ard, 31, of Idaho Falls, Idaho, died Aug. 21 in Zabul "
              "Province, Afghanistan, as a result of injuries sustained during a raid.",
              dt.date(2019, 8, 23))
    assert [[p[1] for p in o.places] for o in got] == [["Zabul Province", "Afghanistan"]]


@pytest.mark.parametrize("text, expected", [
    # another member of a gazetteer person's family: his own name, no gazetteer identity,
    # and the short name later in the article is still him
    ("U.S. forces killed Hamza bin Laden in Afghanistan. Bin Laden had threatened attacks.",
     [("Hamza bin Laden", NOT_IN_GAZETTEER), ("Bin Laden", NOT_IN_GAZETTEER)]),
    ("Asma al-Assad met officials in Damascus.", [("Asma al-Assad", NOT_IN_GAZETTEER)]),
    ("Abu Omar al-Baghdadi was killed in 2010.", [("Abu Omar al-Baghdadi", NOT_IN_GAZETTEER)]),
    # the gazetteer's given names in another transliteration: the same person
    ("ISIL's spokesman, Abu Mohammed al-Adnani, called on supporters to attack.",
     [("Abu Mohammed al-Adnani", "Abu Muhammad al-Adnani")]),
    ("Usama bin Laden was killed in Abbottabad.", [("Usama bin Laden", "Osama bin Laden")]),
    # a title before the short name is no given name
    ("ISIS leader al-Baghdadi was killed.", [("al-Baghdadi", "Abu Bakr al-Baghdadi")]),
    ("Officials said bin Laden was dead.", [("bin Laden", "Osama bin Laden")]),
])
def test_a_gazetteer_surname_after_other_given_names(text, expected):
    doc = load_nlp()(text)
    assert [(e.text, e.ent_id_) for e in doc.ents if e.label_ == "PERSON"] == expected


@pytest.mark.parametrize("text, source", [
    # the parser hangs the name on the organization; the role phrase still names him
    ("Kurdish-led forces captured the town of Tabqa on Wednesday, according to a spokesman "
     "for the Syrian Democratic Forces, Talal Silo.", "Talal Silo"),
    ("A spokesman for the Syrian Democratic Forces, Mustafa Bali, said that 30 militants were "
     "killed near Hajin.", "Mustafa Bali"),
])
def test_a_role_phrase_that_names_its_holder_is_the_holder_speaking(text, source):
    got = claims(text, dt.date(2017, 5, 12))
    assert [g[0] for g in got] == [[source]]


def test_the_short_name_of_someone_else_stays_with_him():
    facts = facts_of("U.S. forces killed Hamza bin Laden in an operation in Afghanistan, the "
                     "White House said. Bin Laden had threatened attacks, officials said.",
                     dt.date(2019, 9, 14))
    people = {k[1] for k in facts.entities if k[0] == "Person"}
    assert people == {"Hamza bin Laden"}


@pytest.mark.parametrize("text, expected", [
    # forces killing a named person, or one this sentence names by a role: an operation
    ("Israeli forces killed Bahaa Abu al-Ata in Gaza City on Tuesday, the military said.",
     [("GenericOperation", ["Gaza City"], "2021-05-11")]),
    ("French troops killed the leader of the Islamic State in the Greater Sahara, Adnan Abu "
     "Walid al-Sahrawi, in Mali in August, President Emmanuel Macron said.",
     [("GenericOperation", ["Mali"], "2020-08")]),
    ("Gunmen killed Mayor John Smith in Tillaberi on Monday.",
     [("Attack", ["Tillabéri"], "2021-05-10")]),
    # no one named, or not armed men
    ("Troops killed him near Kismayo on Friday.", []),
    ("Police killed a suspect in Lagos on Sunday.", []),
    ("His brother killed Ahmed Ali in Baghdad in 2015.", []),
])
def test_forces_killing_a_named_person_is_an_operation(text, expected):
    got = ops(text, dt.date(2021, 5, 12))
    assert [(o.op_type, [p[1] for p in o.places], o.time.value if o.time else None)
            for o in got] == expected


def test_a_mayors_title_is_no_part_of_the_name():
    facts = facts_of("Gunmen killed Mayor John Smith in Tillaberi on Monday.",
                     dt.date(2021, 5, 12))
    assert [t[1] for t in facts.operations[0].targets] == ["John Smith"]


def test_a_bare_ministry_is_no_other_organization_named_before():
    # no ministry was named: the PKK is not "the ministry"
    got = claims("Two Turkish soldiers were killed in a PKK attack in Hakkari province on "
                 "Sunday, the ministry said.", dt.date(2021, 5, 12))
    assert all("PKK" not in sources for sources, _, _ in got)


def test_a_complementizer_is_no_determiner_of_the_operation_after_it():
    # "that" before "Russian airstrikes" introduces the clause: these are new strikes
    got = ops("The monitor reported that Russian airstrikes killed 23 civilians in Idlib on "
              "Monday.", dt.date(2021, 5, 12))
    assert [(o.op_type, [p[1] for p in o.places], o.time.value) for o in got] == \
        [("Airstrike", ["Idlib"], "2021-05-10")]


def test_a_place_the_model_read_as_a_person_leaves_no_person_behind():
    facts = facts_of("The Syrian Observatory for Human Rights reported that Russian airstrikes "
                     "killed 23 civilians in the town of Maarat al-Numan on Monday.",
                     dt.date(2021, 5, 12))
    assert ("Place", "Maarat al-Numan") in facts.entities
    assert not [k for k in facts.entities if k[0] == "Person"]


def test_a_clause_after_but_with_its_own_subject_is_not_the_claim():
    got = claims("Afghan officials said a U.S. airstrike in Kunduz killed 30 civilians, but the "
                 "Pentagon denied the report.", dt.date(2021, 5, 12))
    assert (["Afghan officials"], "a U.S. airstrike in Kunduz killed 30 civilians",
            "Asserted") in got
    # "but" with no subject of its own stays: one claim about both
    got = claims("Officials said the strike killed 30 militants but spared the village.",
                 dt.date(2021, 5, 12))
    assert [g[1] for g in got] == ["the strike killed 30 militants but spared the village"]


def test_an_apposition_parsed_as_a_second_subject_leaves_the_name_the_source():
    # in this paragraph the parser makes "a spokesman for the SDF" a second subject of "said"
    text = ("Kurdish-led fighters pushed into the western districts of Raqqa on Sunday, a day "
            "after seizing the Romaniya neighborhood, the Syrian Democratic Forces said.\n\n"
            "Talal Silo, a spokesman for the SDF, said the fighters were meeting fierce "
            "resistance from Islamic State militants using snipers and suicide car bombs.")
    got = claims(text, dt.date(2017, 6, 12))
    assert (["Talal Silo"], "the fighters were meeting fierce resistance from Islamic State "
            "militants using snipers and suicide car bombs", "Asserted") in got
    assert not [g for g in got if g[0] == ["spokesman"]]


def test_one_unknown_word_near_which_a_strike_hit_is_a_place_not_an_organization():
    facts = facts_of("A spokesman said the strike, carried out on Nov. 18 near Sarmada in Idlib "
                     "province, killed a senior leader. Residents said the strike hit a car on "
                     "the road out of Sarmada.", dt.date(2016, 11, 28))
    assert ("Place", "Sarmada") in facts.entities
    assert ("Organization", "Sarmada") not in facts.entities
    assert ("Place", "Sarmada") in facts.operations[0].places


@pytest.mark.parametrize("text,source", [
    ("Iraqi forces retook the government complex in western Mosul on Tuesday, a spokesman "
     "for the Federal Police said.", "spokesman for the Federal Police"),
    ("An official with the Interior Ministry said the bomber was stopped at a checkpoint.",
     "official with the Interior Ministry"),
    ("A spokesman for Jabhat Fateh al-Sham, the group formerly known as the Nusra Front, denied "
     "that any of its commanders had been killed.", "spokesman for Jabhat Fateh al-Sham"),
])
def test_an_unnamed_spokesman_keeps_whose_spokesman_he_is(text, source):
    got = claims(text, dt.date(2017, 3, 14))
    assert [g[0] for g in got] == [[source]]


@pytest.mark.parametrize("text,expected", [
    ("Iran's Supreme Leader Ayatollah Ali Khamenei vowed revenge.",
     ("Ayatollah Ali Khamenei", "supreme leader", "Government of Iran")),
    ("Iraq's Prime Minister Haider al-Abadi visited the troops.",
     ("Haider al-Abadi", "prime minister", "Government of Iraq")),
])
def test_a_states_post_before_a_name_is_in_its_government(text, expected):
    assert memberships(text) == {expected}


def test_a_state_adjective_and_a_capitalized_name_of_a_body_name_an_organization():
    got = claims("The Turkish General Staff said its jets struck 20 targets near al-Bab on "
                 "Saturday.", dt.date(2017, 1, 8))
    assert [g[0] for g in got] == [["Turkish General Staff"]]
    # a lower-case word after the adjective is not a name: "Turkish staff" is nobody
    facts = facts_of("Turkish staff said the jets struck 20 targets.", dt.date(2017, 1, 8))
    assert ("Organization", "Turkish staff") not in facts.entities


def test_the_one_word_name_after_the_is_an_organization_and_folds_into_its_full_name():
    got = claims("Clashes broke out near Atmeh on Friday, the Observatory said.",
                 dt.date(2017, 1, 8))
    assert [g[0] for g in got] == [["Observatory"]]
    facts = facts_of("Clashes broke out near Atmeh on Friday, the Observatory said.",
                     dt.date(2017, 1, 8))
    assert ("Person", "Observatory") not in facts.entities
    got = claims("The Syrian Observatory for Human Rights reported the raid in Idlib on Friday. "
                 "The Observatory said 12 people were killed.", dt.date(2017, 1, 8))
    assert ["Syrian Observatory for Human Rights"] in [g[0] for g in got]
    assert ["Observatory"] not in [g[0] for g in got]


@pytest.mark.parametrize("text,places", [
    ("Pakistan said it was seeking clarification from Washington about the strike in Kurram "
     "on Sunday.", ["Kurram"]),
    ("Fighters from Raqqa attacked a checkpoint near Tabqa on Monday.", ["Tabqa"]),
    # the speaker's country stays the place when the sentence names no other
    ("Pakistan said a U.S. drone strike killed five people on Sunday.", ["Pakistan"]),
])
def test_who_spoke_and_where_they_came_from_are_not_where_it_happened(text, places):
    got = ops(text, dt.date(2017, 6, 12))
    assert [[p[1] for p in o.places] for o in got] == [places]


@pytest.mark.parametrize("text,typ", [
    ("A suicide bomber struck a NATO convoy near Kandahar on Monday, killing two soldiers.",
     "Bombing"),
    ("A car bomb struck a market in Baghdad on Sunday.", "Bombing"),
    ("Gunmen struck a checkpoint near Arish on Friday.", "Attack"),
    # aircraft strike from the air; a drone is a drone strike
    ("U.S. aircraft struck an ISIS position near Raqqa on Friday.", "Airstrike"),
    ("A U.S. drone struck a car near Marib on Friday.", "DroneStrike"),
    ("Turkish warplanes bombed PKK positions in northern Iraq on Friday.", "Airstrike"),
    ("Rebel positions near Idlib were bombed by Russian jets on Friday.", "Airstrike"),
    ("Militants bombed a police station in Kirkuk on Friday.", "Bombing"),
])
def test_struck_takes_the_kind_of_attack_its_subject_names(text, typ):
    got = ops(text, dt.date(2017, 6, 12))
    assert [o.op_type for o in got] == [typ]


@pytest.mark.parametrize("text,expected", [
    ("Afghan Chief Executive Abdullah Abdullah condemned the attack.",
     ("Abdullah Abdullah", "chief executive", "Government of Afghanistan")),
    ("Brig. Gen. Raymond Karim, the chief of staff of U.S. Africa Command, said the raid was "
     "approved.", ("Raymond Karim", "chief of staff", "U.S. Africa Command")),
])
def test_a_role_of_several_words_is_not_read_as_a_modifier_and_a_role(text, expected):
    assert expected in memberships(text)


def test_who_runs_a_named_organization_heads_it():
    assert memberships("Rami Abdulrahman, who runs the Syrian Observatory for Human Rights, "
                       "said 12 fighters were killed.") == {
        ("Rami Abdulrahman", "head", "Syrian Observatory for Human Rights")}
    # running something that is no organization is no role
    assert memberships("Rami Abdulrahman, who runs a shop in Idlib, said 12 fighters were "
                       "killed.") == set()


def test_the_other_name_between_a_place_and_it_is_a_place():
    facts = facts_of("Jets struck a car near Sarmada on Friday. Clashes broke out between "
                     "Sarmada and Atmeh on Friday. A second raid hit Atmeh on Sunday.",
                     dt.date(2017, 6, 12))
    assert ("Place", "Atmeh") in facts.entities
    assert ("Person", "Atmeh") not in facts.entities
    assert [[p[1] for p in o.places] for o in facts.operations] == [["Sarmada"], ["Atmeh"]]
    # two names neither of which is a place are left as the model read them
    facts = facts_of("A meeting between Haftar and Sarraj in Paris was planned.")
    assert not [k for k in facts.entities if k[0] == "Place" and k[1] in ("Haftar", "Sarraj")]


@pytest.mark.parametrize("text,value", [
    ("Airstrikes between Friday and Sunday killed 30 militants near Raqqa.", "2017-06"),
    ("Coalition jets conducted 40 strikes near Raqqa from Jan. 2 to Jan. 5.", "2017-01"),
    ("Coalition jets conducted 40 strikes near Raqqa on Friday.", "2017-06-09"),
])
def test_an_operation_over_a_period_is_not_dated_by_its_first_day(text, value):
    got = ops(text, dt.date(2017, 6, 12))
    assert [o.time.value for o in got] == [value]


def test_a_release_without_country_headings_dates_its_list_by_the_summary():
    text = ("SOUTHWEST ASIA, Feb. 10, 2017 — U.S. and coalition military forces continued to "
            "attack ISIL terrorists in Iraq and Syria yesterday, conducting 19 strikes, "
            "officials reported today.\n\n"
            "Officials reported the following details of the strikes:\n\n"
            "-- Near Qaim, two strikes engaged two ISIL tactical units and destroyed three "
            "vehicles.\n\n"
            "-- Near Mosul, four strikes engaged three ISIL tactical units and destroyed a "
            "mortar system.\n\n"
            "In Syria, attack aircraft conducted eight strikes near Raqqa, destroying five "
            "fighting positions.")
    got = ops(text, dt.date(2017, 2, 10))
    assert [([p[1] for p in o.places], o.time.value if o.time else None) for o in got] == [
        (["Iraq", "Syria"], "2017-02-09"), (["Qaim"], "2017-02-09"), (["Mosul"], "2017-02-09"),
        (["Syria", "Raqqa"], "2017-02-09")]
    # a strike told long after the summary, past other text, takes no date from it
    text = ("Coalition forces conducted 12 strikes in Iraq and Syria on Jan. 4.\n\n"
            "The group has lost much of its territory. Its leaders have fled. Many fighters "
            "have surrendered. Officials expect more defections.\n\n"
            "In Syria, aircraft conducted eight strikes near Raqqa.")
    got = ops(text, dt.date(2017, 1, 6))
    assert got[-1].time is None or got[-1].time.value is None


def test_a_comma_that_closes_the_subjects_apposition_is_no_inverted_attribution():
    got = claims("Islamic State's regional affiliate, Islamic State Khorasan, claimed "
                 "responsibility on its Telegram channels.", dt.date(2021, 10, 9))
    assert [g[0] for g in got] == [["Islamic State – Khorasan Province"]]
    # an inverted attribution is still one: the clause before the comma is what was said
    got = claims("The strike killed 20 militants near Jilib, U.S. Africa Command said.",
                 dt.date(2021, 10, 9))
    assert [g[1] for g in got] == ["The strike killed 20 militants near Jilib"]


@pytest.mark.parametrize("text,expected", [
    ("The Nigerian army spokesman, Brigadier General Onyema Nwachukwu, said troops repelled "
     "the attack.", {("Onyema Nwachukwu", "spokesman", "Nigerian army")}),
    # the army of the one state the article names
    ("Nigerian troops fought in Borno. The army spokesman, Brigadier General Onyema "
     "Nwachukwu, said troops repelled the attack.",
     {("Onyema Nwachukwu", "spokesman", "Nigerian army")}),
    ("Nigerian troops fought in Borno. Brigadier General Onyema Nwachukwu, the army "
     "spokesman, said troops repelled the attack.",
     {("Onyema Nwachukwu", "spokesman", "Nigerian army")}),
    # two states: whose army it is cannot be told
    ("Iraqi and Syrian troops fought. The army spokesman, Gen. Yahya Rasool, said troops "
     "advanced.", set()),
])
def test_a_bare_army_before_a_role_is_the_army_of_the_state_named(text, expected):
    assert memberships(text) == expected
    assert not [k for k in facts_of(text).entities if k[1] == "Brigadier General"]


def test_a_name_after_in_under_an_operation_word_is_a_place():
    facts = facts_of("An Israeli airstrike in Khan Younis killed 90 people. Residents in Khan "
                     "Younis fled.", dt.date(2024, 7, 14))
    assert ("Place", "Khan Younis") in facts.entities
    assert [[p[1] for p in o.places] for o in facts.operations] == [["Khan Younis"]]
    # a name the article also uses as a person's (here an owner) is left as it is
    facts = facts_of("A raid in Bin Laden's compound killed him.", dt.date(2011, 5, 2))
    assert not [k for k in facts.entities if k[0] == "Place"]


@pytest.mark.parametrize("text,places", [
    ("A U.S. drone strike killed the deputy commander of Iran-backed militias in Iraq.",
     ["Iraq"]),
    ("The Britain-based Syrian Observatory said an airstrike hit Idlib.", ["Idlib"]),
])
def test_a_place_that_backs_or_bases_someone_is_not_where_it_happened(text, places):
    assert [[p[1] for p in o.places] for o in ops(text, dt.date(2020, 1, 3))] == [places]


def test_a_speaker_label_in_full_names_the_surname_read_before():
    text = ("Department of Defense Press Briefing by Colonel Dorrian via teleconference from "
            "Baghdad, Iraq\n\n"
            "COLONEL JOHN DORRIAN: Good morning from Baghdad. In Syria, the Syrian Democratic "
            "Forces seized the Tabqa airfield on Sunday.\n\n"
            "Q: Colonel, can you tell us about the strike?\n\n"
            "COL. DORRIAN: We have targeted a meeting of al-Qaida members.")
    facts = facts_of(text, dt.date(2017, 3, 22))
    assert ("Person", "Dorrian") not in facts.entities
    sources = {s[1] for c in facts.claims for s in c.sources}
    assert sources == {"John Dorrian"}
    assert "Dorrian" in facts.entities[("Person", "John Dorrian")].alt_labels


@pytest.mark.parametrize("text,source", [
    ("Eyewitnesses said at least 30 people died when a car bomb exploded in a market in "
     "Baghdad on Thursday.", "Eyewitnesses"),
    ("Relatives said the strike in Mosul killed 12 members of one family.", "Relatives"),
    ("Paramedics said 14 people were wounded in the attack in Kabul.", "Paramedics"),
])
def test_more_unnamed_sources(text, source):
    assert [g[0] for g in claims(text, dt.date(2017, 6, 12))] == [[source]]


@pytest.mark.parametrize("text,places", [
    ("Army Col. Steve Warren said the coalition has conducted more than 11,500 strikes in Iraq "
     "since August 2014.", None),
    ("The United States has carried out 30 airstrikes in Somalia since 2017.", None),
    # a few days' strikes are still strikes near Raqqa
    ("The coalition has conducted 40 strikes near Raqqa since Sunday.", ["Raqqa"]),
])
def test_a_tally_of_strikes_over_years_is_no_operation(text, places):
    got = [[p[1] for p in o.places] for o in ops(text, dt.date(2016, 4, 15))]
    assert got == ([places] if places else [])


@pytest.mark.parametrize("text,expected", [
    ("The battle for Mosul began in October 2016.", [("Offensive", ["Mosul"], "2016-10")]),
    ("A fierce battle with militants near Tal Afar killed 10 soldiers on Monday.",
     [("Offensive", ["Tal Afar"], "2017-06-12")]),
    ("He was removed from the battlefield.", []),
])
def test_a_battle_is_an_operation(text, expected):
    got = ops(text, dt.date(2017, 6, 12))
    assert [(o.op_type, [p[1] for p in o.places], o.time.value) for o in got] == expected


def test_twin_bombings_told_in_the_present_are_the_days_news():
    got = ops("At least 25 people are killed and dozens injured in twin suicide bombings at a "
              "market in Maiduguri, Borno State, Nigeria.", dt.date(2017, 6, 12))
    assert [(o.op_type, [p[1] for p in o.places][0], o.time.value) for o in got] == [
        ("Bombing", "Maiduguri", "2017-06-12")]
    # told in the past, the day is not known
    got = ops("At least 25 people were killed and dozens injured in twin suicide bombings at a "
              "market in Maiduguri.", dt.date(2017, 6, 12))
    assert [o.time for o in got] == [None]


def test_the_alliance_is_the_alliance_named_before():
    got = claims("A NATO service member was killed in an attack in eastern Afghanistan, the "
                 "alliance said in a statement.", dt.date(2017, 6, 12))
    assert [g[0] for g in got] == [["NATO"]]
    # no alliance named: an unnamed source, never the last organization of another kind
    got = claims("The Taliban said the attack in Kandahar killed 12. The alliance said it was "
                 "investigating.", dt.date(2017, 6, 12))
    assert [g[0] for g in got] == [["Taliban"], ["alliance"]]


@pytest.mark.parametrize("text,expected", [
    ("Militants shot and killed four soldiers at a checkpoint near Arish on Sunday.",
     [("Attack", ["Arish"], "2017-06-11")]),
    ("Gunmen shot dead four policemen in Quetta on Monday.",
     [("Attack", ["Quetta"], "2017-06-12")]),
    # shooting someone is no killing, and police are not armed men in this sense
    ("Police shot a suspect in Quetta on Monday.", []),
])
def test_armed_men_who_shot_dead_or_shot_and_killed_a_toll_attacked(text, expected):
    got = ops(text, dt.date(2017, 6, 12))
    assert [(o.op_type, [p[1] for p in o.places], o.time.value) for o in got] == expected


def test_a_service_before_a_rank_is_the_persons_not_the_source():
    got = claims("Navy Capt. Raymond Thomas, the public affairs officer of the Department of "
                 "Defense, told reporters that the strike was a significant blow to ISIS.",
                 dt.date(2017, 6, 12))
    assert [g[0] for g in got] == [["Raymond Thomas"]]


def test_a_bare_ministry_is_the_one_of_the_state_its_sentence_names():
    text = ("The Syrian Democratic Forces breach the walls of Raqqa. Algerian troops kill seven "
            "militants in an operation near Tebessa, the Defense Ministry says.")
    got = claims(text, dt.date(2017, 7, 7))
    assert [g[0] for g in got] == [["Algerian Defense Ministry"]]


def test_a_list_items_near_is_not_part_of_a_name():
    facts = facts_of("Near Ras Baalbek, three strikes destroyed a vehicle on Sunday.",
                     dt.date(2017, 6, 12))
    assert ("Person", "Near Ras Baalbek") not in facts.entities
    assert [[p[1] for p in o.places] for o in facts.operations] == [["Ras Baalbek"]]


def test_someone_who_has_been_a_leader_is_the_person_spoken_of_not_the_speaker():
    text = ("The strike killed Abu Saad al-Jazrawi near Raqqa on Friday, Col. Ryan Reed said. "
            "\"This is someone who has been a senior leader in ISIS, responsible for external "
            "plotting,\" Reed said.")
    assert memberships(text, dt.date(2017, 6, 12)) == {
        ("Abu Saad al-Jazrawi", "senior leader", "Islamic State")}


@pytest.mark.parametrize("text,source,statement", [
    ("A statement from the Pentagon said the raid near Hajin killed 12 fighters.",
     "U.S. Department of Defense", "the raid near Hajin killed 12 fighters"),
    ("In a video posted online, the group claimed the attack in Kabul.", "group",
     "claimed the attack in Kabul"),
])
def test_whose_statement_and_what_the_verb_itself_claims(text, source, statement):
    assert [(g[0], g[1]) for g in claims(text, dt.date(2017, 6, 12))] == [([source], statement)]


def test_a_place_in_the_speakers_name_does_not_place_the_operation():
    got = ops("The U.N. mission in Afghanistan said 30 civilians were killed in the airstrike "
              "in Kunduz.", dt.date(2017, 6, 12))
    assert [[p[1] for p in o.places] for o in got] == [["Kunduz"]]


@pytest.mark.parametrize("text,expected", [
    # a bare "army" before a title takes the state's army named before it
    ("French troops killed 30 jihadists in central Mali, the French army said on Monday. "
     "The operation took place in the Mopti region, army spokesman Col. Frederic Barbry told "
     "reporters.", {("Frederic Barbry", "spokesman", "French army")}),
    # two states and no army named: whose army it is cannot be told
    ("French and Malian troops fought in Mopti. Army spokesman Col. Frederic Barbry told "
     "reporters the operation had ended.", set()),
])
def test_a_bare_army_title_before_the_name(text, expected):
    assert memberships(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Yemen's Houthi rebels said they had fired a missile. Houthi military spokesman Yahya "
     "Sarea said the missile had hit its target. Jets struck Houthi positions.",
     {("Yahya Sarea", "military spokesman", "Houthis")}),
    # the word names no organization of the article
    ("Tribal fighters advanced. Tribal spokesman Redur Xelil said the town was taken.",
     set()),
])
def test_a_word_of_an_organizations_name_before_a_title_is_that_organization(text, expected):
    assert memberships(text) == expected


def test_a_leader_of_the_militant_group_is_a_leader_of_the_group_named_before():
    text = ("Al-Shabaab has fought the government for a decade. AFRICOM said the strike killed "
            "Abdullahi Haji Da'ud, a senior leader of the militant group who planned attacks.")
    assert memberships(text) == {("Abdullahi Haji Da'ud", "senior leader", "al-Shabaab")}
    # no group named before, only a command: no organization to give
    assert memberships("AFRICOM said the strike killed Abdullahi Haji Da'ud, a senior leader "
                       "of the militant group.") == set()


@pytest.mark.parametrize("text,expected", [
    ("The attack happened in Kabul, the Afghan capital. A health ministry spokesman, "
     "Wahidullah Majroh, said 45 wounded people had been taken to hospitals.",
     {("Wahidullah Majroh", "spokesman", "Afghan health ministry")}),
    ("Afghan and Pakistani officials met. A health ministry spokesman, Wahidullah Majroh, "
     "said 45 people were wounded.", set()),
])
def test_a_bare_ministry_of_two_words_is_the_one_of_the_state_named(text, expected):
    assert memberships(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Kabul police chief Gen. Abdul Rahman Rahimi said security forces were on alert.",
     {("Abdul Rahman Rahimi", "police chief", "Kabul police")}),
    ("Borno state Governor Babagana Zulum visited the town on Sunday.",
     {("Babagana Zulum", "governor", "Government of Borno State")}),
    ("Iraq Prime Minister Haider al-Abadi condemned the attack.",
     {("Haider al-Abadi", "prime minister", "Government of Iraq")}),
    # an envoy named after a country is sent there, not its government's
    ("Syria envoy Staffan de Mistura said talks would resume.", set()),
])
def test_a_place_before_a_title_owns_the_local_post(text, expected):
    assert memberships(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Kurdish Prime Minister Nechirvan Barzani said the Peshmerga would hold the line.",
     {("Nechirvan Barzani", "prime minister", "Government of Kurdistan Region")}),
    ("The Kurdish foreign minister, Falah Mustafa, said the talks had failed.",
     {("Falah Mustafa", "foreign minister", "Government of Kurdistan Region")}),
    # a people's adjective: the spokesman may speak for any of its groups (here the YPG)
    ("A Kurdish spokesman, Redur Xelil, said 20 militants were killed.", set()),
    ("Kurdish spokesman Redur Xelil said 20 militants were killed.", set()),
    # a state's adjective still gives its government's spokesman
    ("An Iraqi spokesman, Saad Maan, said the bridge was cut.",
     {("Saad Maan", "spokesman", "Government of Iraq")}),
])
def test_a_peoples_adjective_gives_only_cabinet_posts_to_its_region(text, expected):
    assert memberships(text) == expected


@pytest.mark.parametrize("text,expected", [
    # a modifier that is a role itself, with nothing after it
    ("Pakistani army chief Gen. Raheel Sharif visited the tribal areas on Monday.",
     {("Raheel Sharif", "chief", "Pakistani army")}),
    ("Gen. Raheel Sharif, the chief of the Pakistani army, visited the area.",
     {("Raheel Sharif", "chief", "Pakistani army")}),
    # hyphenated roles, as the tokenizer splits them
    ("Hassan Nasrallah, Hezbollah's secretary-general, said the group would respond.",
     {("Hassan Nasrallah", "secretary-general", "Hezbollah")}),
    ("Abu Ali al-Anbari, the second-in-command of ISIS, was killed.",
     {("Abu Ali al-Anbari", "second in command", "Islamic State")}),
    ("Ayman al-Zawahiri, the co-founder of al-Qaeda, was not seen.",
     {("Ayman al-Zawahiri", "co-founder", "Al-Qaeda")}),
    ("Iraqi National Security Adviser Falih al-Fayyadh met Iranian officials.",
     {("Falih al-Fayyadh", "national security adviser", "Government of Iraq")}),
    # the role in a role's object is someone else's; conjoined roles are both the person's
    ("Abu Bakr, an adviser to the Taliban leader, was arrested.",
     {("Abu Bakr", "adviser", "Taliban")}),
    ("Abu Bakr, a commander and spokesman of the Taliban, was arrested.",
     {("Abu Bakr", "commander", "Taliban"), ("Abu Bakr", "spokesman", "Taliban")}),
])
def test_roles_written_with_hyphens_modifiers_and_objects(text, expected):
    assert memberships(text) == expected


@pytest.mark.parametrize("text,expected", [
    # "former" before the nationality stays with the role, written once
    ("Nouri al-Maliki, a former Iraqi prime minister, said the plan had failed.",
     {("Nouri al-Maliki", "former prime minister", "Government of Iraq")}),
    ("Former Iraqi Prime Minister Nouri al-Maliki said the plan had failed.",
     {("Nouri al-Maliki", "former prime minister", "Government of Iraq")}),
    ("Abu Bakr al-Baghdadi, the former ISIS leader, was killed.",
     {("Abu Bakr al-Baghdadi", "former leader", "Islamic State")}),
    # a name the model took for an organization, beside "who headed"
    ("Abdelmalek Droukdel, who headed al-Qaeda in the Islamic Maghreb, was killed in June.",
     {("Abdelmalek Droukdel", "head", "Al-Qaeda in the Islamic Maghreb")}),
    # an apposition in parentheses
    ("Abu Bakr al-Baghdadi (the leader of the Islamic State) was reported dead.",
     {("Abu Bakr al-Baghdadi", "leader", "Islamic State")}),
])
def test_former_roles_who_headed_and_parenthetical_appositions(text, expected):
    assert memberships(text) == expected


@pytest.mark.parametrize("text,expected", [
    # the organization is inside the role phrase before the name
    ("We killed a senior ISIL leader, Abu Jandal al-Kuwaiti, in a strike near Tabqa Dam.",
     {("Abu Jandal al-Kuwaiti", "senior leader", "Islamic State")}),
    # an organization of several tokens inside it keeps the modifier before it
    ("The strike killed a senior al-Qaeda commander, Qari Yasin.",
     {("Qari Yasin", "senior commander", "Al-Qaeda")}),
])
def test_a_role_with_its_organization_before_the_name(text, expected):
    assert memberships(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("The Taliban named Mullah Akhtar Mansour as their new leader.",
     {("Mullah Akhtar Mansour", "leader", "Taliban")}),
    ("Al-Shabaab appointed Ahmed Umar as its emir.", {("Ahmed Umar", "emir", "al-Shabaab")}),
    # the role's own organization wins over the subject
    ("Trump named James Mattis as secretary of defense.",
     {("James Mattis", "secretary of defense", "U.S. Department of Defense")}),
    # no person named, or a subject that is no organization: nothing
    ("The Pentagon named the operation as a success.", set()),
    ("He named Ahmed Umar as his deputy.", set()),
])
def test_an_organization_naming_someone_to_a_role(text, expected):
    assert memberships(text) == expected


def test_a_title_is_no_part_of_the_name():
    facts = facts_of("National Security Adviser H.R. McMaster said the United States would "
                     "respond.")
    assert [s[1] for c in facts.claims for s in c.sources] == ["H.R. McMaster"]


def test_director_of_operations_is_one_role():
    text = ('"We will continue," said Maj. Gen. Gregg Olson, director of operations for '
            'AFRICOM.')
    assert memberships(text) == {("Gregg Olson", "director of operations",
                                  "U.S. Africa Command")}


@pytest.mark.parametrize("text,places", [
    # a bare plural told as done in the simple past names particular strikes; "the capital
    # Sanaa" is their place even when the parser hangs the name on "hours later"
    ("The coalition, which intervened in Yemen in March 2015, carried out airstrikes on Houthi "
     "positions in the capital Sanaa hours later, witnesses said.", [["Sanaa"]]),
    # what a group did in the past, for years, or in a relative clause: no particular one
    ("ISIS, which carried out attacks in Paris and Nice, is losing ground.", []),
    ("The group carried out attacks in Kabul for years.", []),
    ("The group has carried out attacks in Kabul.", []),
])
def test_bare_plural_operations_told_as_done(text, places):
    assert [[p[1] for p in o.places] for o in ops(text, dt.date(2018, 11, 21))] == places


@pytest.mark.parametrize("text,source,statement", [
    # the parser hangs the that-clause on "statement"
    ("AFRICOM said in a statement on Tuesday that the strike killed Abdullahi Haji Da'ud.",
     "U.S. Africa Command", "the strike killed Abdullahi Haji Da'ud"),
    ("Defence Minister Florence Parly said in a statement that the operation had \"dealt a "
     "severe blow\" to the group.", "Florence Parly",
     "the operation had \"dealt a severe blow\" to the group"),
    # the parser takes the clause's subject for the verb's "between" phrase
    ("Col. Ryan Dillon, a coalition spokesman, said between 1,500 and 2,000 militants were "
     "believed to remain in the town.", "Ryan Dillon",
     "between 1,500 and 2,000 militants were believed to remain in the town"),
])
def test_what_was_said_when_the_parser_misplaces_the_clause(text, source, statement):
    assert [(g[0], g[1]) for g in claims(text, dt.date(2019, 3, 5))] == [([source], statement)]


def test_direct_speech_in_the_present_is_no_headline_date():
    text = ('Iraqi forces have taken full control of Falluja from Islamic State, a commander '
            'said. "We congratulate the Iraqi people for the liberation of Falluja," he said.')
    got = ops(text, dt.date(2016, 6, 27))
    assert [[p[1] for p in o.places] for o in got] == [["Fallujah"]]
    assert [o.time for o in got] == [None]
    # a headline in the present still dates its event to the day of publication
    got = ops("Iraqi forces retake the town of Falluja from Islamic State.", dt.date(2016, 6, 27))
    assert [o.time.value for o in got] == ["2016-06-27"]


@pytest.mark.parametrize("text,expected", [
    # strikes backing an operation the clause names are part of it, not one of their own
    ("The battle for Mosul began in October with the backing of coalition strikes.",
     [("Offensive", ["Mosul"])]),
    ("Iraqi troops launched the assault on Mosul in October with the support of coalition "
     "airstrikes.", [("GroundOperation", ["Mosul"])]),
    # "retook" is the past of "retake", which the model's lemmatizer leaves as it is
    ("Iraqi forces, backed by coalition airstrikes, retook the town of Ramadi on Sunday.",
     [("Capture", ["Ramadi"])]),
    # strikes "in support of" forces are strikes of their own
    ("Coalition aircraft conducted 12 strikes in support of Iraqi forces near Mosul on Sunday.",
     [("Strike", ["Mosul"])]),
])
def test_strikes_backing_an_operation_are_part_of_it(text, expected):
    got = ops(text, dt.date(2016, 12, 27))
    assert [(o.op_type, [p[1] for p in o.places]) for o in got] == expected


def test_rule_tables_are_read_once_and_split_as_the_tokenizer_splits():
    """Every article reads the rule tables: they are parsed once per process (reading them
    per article made extraction a quarter slower), and a phrase's hyphens are tokens."""
    from kgraid.gazetteer import load_table, phrase_tokens
    assert load_table("roles.tsv") is load_table("roles.tsv")
    assert phrase_tokens("second-in-command") == ("second", "-", "in", "-", "command")
    assert phrase_tokens("press secretary") == ("press", "secretary")


@pytest.mark.parametrize("text,typ", [
    ("The army said it had killed 12 militants near Arish on Sunday.", "GenericOperation"),
    ("The Taliban said they had killed 12 soldiers in Helmand on Sunday.", "Attack"),
    ("The Egyptian military killed 12 militants near Arish on Sunday.", "GenericOperation"),
])
def test_a_killing_the_speaker_claims_is_an_operation(text, typ):
    got = ops(text, dt.date(2017, 1, 10))
    assert [(o.op_type, o.time.value) for o in got] == [(typ, "2017-01-08")]


@pytest.mark.parametrize("text", [
    "Residents said they had seen 12 bodies near Arish on Sunday.",
    "The ministry said it had killed 12 militants near Arish on Sunday.",  # no one named
])
def test_a_pronoun_speaker_that_is_no_armed_group_claims_no_killing(text):
    assert ops(text, dt.date(2017, 1, 10)) == []


@pytest.mark.parametrize("text,typ", [
    ("Gunmen stormed a hotel in Mogadishu on Sunday, killing 15 people.", "Attack"),
    ("Al-Shabaab militants stormed a prison in Mogadishu on Sunday.", "Attack"),
    ("Special forces stormed a compound in Idlib on Sunday.", "Raid"),
    ("Iraqi forces stormed the town of Tal Afar on Sunday.", "Capture"),
    ("Iraqi troops stormed Tal Afar on Sunday.", "Capture"),
])
def test_what_was_stormed_says_what_the_storming_was(text, typ):
    assert [o.op_type for o in ops(text, dt.date(2017, 1, 10))] == [typ]


@pytest.mark.parametrize("text,expected", [
    ("The RSF says it captured two tanks.", []),
    ("Rebels captured 4 armored vehicles near Idlib.", []),
    ("At least 5 drones were captured.", []),
    ("The rebels captured 12 soldiers and two tanks.", [("captured", 12, "soldiers")]),
    ("The strike killed 20 people in cars near the market.", [("killed", 20, "people")]),
])
def test_a_casualty_figure_counts_people_not_equipment(text, expected):
    assert [(f.casualty_type, f.count, f.subject) for f in extract_figures(text)] == expected


def test_the_noun_after_dozens_of_ends_with_its_sentence():
    got = extract_figures("The raid ended after killing dozens of fighters. The army said so.")
    assert [(f.count, f.qualifier, f.subject) for f in got] == [(24, "at least", "fighters")]
