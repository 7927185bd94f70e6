"""Render bench/results.json as bench/RESULTS.md."""
from __future__ import annotations

from typing import Any

TARGETS = {
    "ratio": 0.8,          # build throughput / nlp.pipe throughput
    "speedup": 1.6,        # --jobs 2 over --jobs 1
    "scale": 1.3,          # time per article at the large size / at the small size
    "query_s": 0.5,        # median of every query on the 1M-triple store
    "query_speedup": 10.0,  # over rdflib in memory
    "export_s": 10.0,      # Turtle export of 1M triples
}


def _ok(good: bool) -> str:
    return "**met**" if good else "**not met**"


def _f(x: float | None, nd: int = 2) -> str:
    return "–" if x is None else f"{x:,.{nd}f}"


def _other(m: dict[str, Any]) -> str:
    """Cores kept busy by other processes during a measurement (not recorded: '?')."""
    return "?" if "other_cores" not in m else f"{m['other_cores']:.2f}"


def _kg_cell(q: dict[str, Any]) -> str:
    if q.get("median_s") is not None:
        return _f(q["median_s"], 3)
    if q.get("capped_at_s"):
        return f"> {q['capped_at_s']:.0f} (stopped)"
    return "error" if q.get("error") else "–"


def _stamp(sec: dict[str, Any]) -> str:
    return (f"_Run {sec.get('date')} · `{sec.get('command')}` · load average before "
            f"{sec.get('load_before')}, after {sec.get('load_after')} · section took "
            f"{_f(sec.get('section_s'), 0)} s_\n")


def _build(sec: dict[str, Any]) -> list[str]:
    out = ["## Build throughput: `kgraid build` vs bare `nlp.pipe`", "", _stamp(sec)]
    extra = " ".join(sec.get("build_args") or []) or "(none)"
    out.append(f"{sec['articles']:,} synthetic articles; extra build arguments: {extra}. "
               "Whole-process wall times, one right after the other.\n")
    out.append("| processes | nlp.pipe s | nlp.pipe art/s | (pipe only s) | kgraid build s "
               "| build art/s | ratio | target ≥ 0.8 | build peak RSS (tree) "
               "| other load, cores (nlp / build) |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for r in sec["rows"]:
        n, b = r["nlp"], r["build"]
        out.append(f"| {r['jobs']} | {_f(n['seconds'], 1)} | {_f(n['articles_per_s'])} | "
                   f"{_f(n['detail']['pipe_s'], 1)} | {_f(b['seconds'], 1)} | "
                   f"{_f(b['articles_per_s'])} | {_f(r['ratio'])} | "
                   f"{_ok(r['ratio'] >= TARGETS['ratio'])} | "
                   f"{_f(b['peak_tree_rss_mb'], 0)} MiB | {_other(n)} / {_other(b)} |")
    if (sec.get("repeats") or 1) > 1:
        out += ["", f"Each process count: {sec['repeats']} pairs (nlp.pipe, then build); the "
                    "row is the pair with the median ratio. All pairs, nlp.pipe s / build s = "
                    "ratio:"]
        for r in sec["rows"]:
            pairs = ", ".join(f"{_f(q['nlp_s'], 1)} / {_f(q['build_s'], 1)} = {_f(q['ratio'])}"
                              for q in r.get("pairs", []))
            out.append(f"- {r['jobs']} process{'es' if r['jobs'] > 1 else ''}: {pairs}")
    sp = sec.get("speedup")
    if sp:
        out += ["", f"`--jobs {sp['jobs']}` over `--jobs 1`: build **{_f(sp['build'])}×** "
                    f"(target ≥ 1.6: {_ok(sp['build'] >= TARGETS['speedup'])}); bare "
                    f"nlp.pipe with n_process={sp['jobs']}: {_f(sp['nlp'])}×"
                    + (" (median times over the pairs)." if (sec.get("repeats") or 1) > 1
                       else ".")]
    first = sec["rows"][0]["nlp"]["detail"]
    out += ["", f"Model `{first.get('model')}`, components {', '.join(first['components'])}; "
                f"batch size {first['batch_size']}; {first['words'] / max(1, first['articles']):.0f} "
                "words per article.", ""]
    return out


def _scale(sec: dict[str, Any]) -> list[str]:
    out = ["## Scale: time per article and memory", "", _stamp(sec)]
    out.append(f"`kgraid build --jobs {sec['jobs']}`.\n")
    out.append("| articles | wall s | ms / article | peak RSS, process tree | largest process "
               "| other load, cores |")
    out.append("|---|---|---|---|---|---|")
    for r in sec["rows"]:
        b = r["build"]
        note = " (the `build` section's run)" if r.get("from_build_section") else ""
        out.append(f"| {r['articles']:,}{note} | {_f(b['seconds'], 1)} | {_f(b['per_article_ms'], 1)} | "
                   f"{_f(b['peak_tree_rss_mb'], 0)} MiB | {_f(b['peak_process_rss_mb'], 0)} MiB "
                   f"| {_other(b)} |")
    out += ["", f"Time per article, large / small: **{_f(sec['per_article_ratio'])}** "
                f"(target ≤ 1.3: {_ok(sec['per_article_ratio'] <= TARGETS['scale'])}); "
                f"peak memory, large / small: {_f(sec['rss_ratio'])}.", ""]
    return out


def _graphs(sec: dict[str, Any]) -> list[str]:
    out = ["## Synthetic graphs", "", _stamp(sec)]
    names = sorted({q for r in sec["rows"] for q in r["queries"]})
    sizes = [r["triples_target"] for r in sec["rows"]]
    out.append("| | " + " | ".join(f"{s:,} triples" for s in sizes) + " |")
    out.append("|---" * (len(sizes) + 1) + "|")
    out.append("| generation s (0: cached) | " + " | ".join(_f(r["generate_s"], 1)
                                                       for r in sec["rows"]) + " |")
    out.append("| store size MiB | " + " | ".join(_f(r["store_mib"], 0) for r in sec["rows"])
               + " |")
    for q in names:
        out.append(f"| `{q}` median s | " + " | ".join(
            _kg_cell(r["queries"].get(q, {})) for r in sec["rows"]) + " |")
    out.append("")
    return out


def _queries(sec: dict[str, Any]) -> list[str]:
    out = ["## Queries on the 1M-triple store: kgraid vs rdflib in memory", "", _stamp(sec)]
    out.append(f"{sec['triples']:,} triples. rdflib loaded the same quads (N-Quads, "
               f"`Dataset(default_union=True)`) in {_f(sec['rdflib_load_s'], 1)} s, peak RSS "
               f"{_f(sec['rdflib_peak_rss_mb'], 0)} MiB.\n")
    if sec.get("views_refresh_s") is not None:
        rows = ", ".join(f"{n} {r:,} rows" for n, r in sec.get("views_rows", {}).items())
        out.append(f"The queries whose header says `# View: NAME` read views (`kgraid.views`): "
                   f"computing them ({rows}) took {_f(sec['views_refresh_s'], 1)} s, which "
                   "every build, link and unmerge spends once at its end. Both engines "
                   "answer the same query files on the same quads, views included.\n")
    out.append("| query | kgraid median s | rows | rdflib s | rows | speed-up | ≤ 0.5 s | ≥ 10× |")
    out.append("|---|---|---|---|---|---|---|---|")
    for r in sec["rows"]:
        if r["rdflib_s"] is not None:
            rl = _f(r["rdflib_s"], 3)
        elif r["rdflib_capped"]:
            rl = "> cap"
        else:
            rl = "error"
        sp = r["speedup"]
        spt = "–" if sp is None else f"{r['speedup_bound']}{sp:,.0f}×"
        ks = r["kgraid_s"]
        kcell = _kg_cell({"median_s": ks, "capped_at_s": r.get("kgraid_capped_at_s"),
                          "error": r.get("kgraid_error")})
        out.append(f"| `{r['query']}` | {kcell} | "
                   f"{r['kgraid_rows'] if r['kgraid_rows'] is not None else '–'} | {rl} | "
                   f"{r['rdflib_rows'] if r['rdflib_rows'] is not None else '–'} | {spt} | "
                   f"{_ok(ks is not None and ks <= TARGETS['query_s'])} | "
                   f"{'–' if sp is None else _ok(sp >= TARGETS['query_speedup'])} |")
    for r in sec["rows"]:
        if r.get("kgraid_error"):
            out.append(f"\nkgraid failed on `{r['query']}`: {r['kgraid_error']}")
        if r.get("rdflib_error"):
            out.append(f"\nrdflib failed on `{r['query']}`: {r['rdflib_error']}")
    out.append("")
    return out


def _export(sec: dict[str, Any]) -> list[str]:
    out = ["## Export", "", _stamp(sec)]
    if sec.get("view_triples"):
        out.append(f"The store holds {sec['triples']:,} triples, {sec['view_triples']:,} of "
                   "them in the views, which the Turtle export leaves out (TriG and N-Quads "
                   "keep them).\n")
    out.append("| format | triples | seconds | output MiB | peak RSS | ≤ 10 s |")
    out.append("|---|---|---|---|---|---|")
    for r in sec["rows"]:
        out.append(f"| {r['format']} | {sec['triples']:,} | {_f(r['seconds'], 1)} | "
                   f"{_f(r['bytes'] / 2 ** 20, 0)} | {_f(r['peak_rss_mb'], 0)} MiB | "
                   f"{_ok(r['seconds'] <= TARGETS['export_s']) if r['format'] == 'turtle' else '– (the target is Turtle)'} |")
    out.append("")
    return out


def render(results: dict[str, Any]) -> str:
    m = results.get("machine", {})
    out = ["# kgraid benchmark results", "",
           "Written by `python -m bench.run` (see bench/README.md); every section says when "
           "and with which command it ran. The machine is shared by several processes "
           "while these run, so the load average is recorded with each section.", "",
           "Machine: " + ", ".join(f"{k} {v}" for k, v in m.items()), ""]
    for name, fn in (("build", _build), ("scale", _scale), ("queries", _queries),
                     ("export", _export), ("graphs", _graphs)):
        if name in results:
            out += fn(results[name])
        else:
            out += [f"## {name}", "", "_Not run yet._", ""]
    return "\n".join(out)
