"""Talking to Wikidata (or any SPARQL 1.1 endpoint in Wikidata's RDF shape) for the linker.

- :mod:`.sparql`      query files with values bound as serialized RDF terms; result parsing
- :mod:`.client`      :class:`SparqlClient`: User-Agent, timeout, rate limit, retries
- :mod:`.cache`       :class:`ResponseCache`: answers on disk, so no request is sent twice
- :mod:`.candidates`  candidate items of an entity and the score that picks one

Nothing here opens a connection at import time; :func:`kgraid.link.link_store` is the entry
point.
"""
