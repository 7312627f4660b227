"""Catalogue search for the open data portal: Dutch and English, stemming, compounds,
typos and synonyms, in pure Python (no web framework, no database).

    index = CatalogueIndex.build(documents, synonyms=settings.search_synonyms_file)
    hits = index.search("fietstelpalen", limit=20)

See docs/search.md.
"""

from belfort.search.index import CatalogueIndex, Hit, SearchDocument
from belfort.search.synonyms import Synonyms
from belfort.search.text import fold, forms, tokenize

__all__ = ["CatalogueIndex", "Hit", "SearchDocument", "Synonyms", "fold", "forms", "tokenize"]
