"""The row language: ``age < 25 and country == 'IN'``, parsed (never evaluated as code).

- ``_tokens`` splits the text, ``_ast`` holds the frozen syntax tree, ``_predicate`` parses
  and checks it against a frame's columns, ``_eval`` evaluates it to a boolean mask.
- :class:`Slice` names a predicate (or a set of rows) and serialises it as JSON.

Examples
--------
>>> import pandas as pd
>>> from jupyter_dci.core.predicate import parse_predicate
>>> df = pd.DataFrame({"age": [20, 30], "country": ["IN", "FR"]})
>>> parse_predicate("age < 25 and country == 'IN'").mask(df).tolist()
[True, False]
"""

from jupyter_dci.core.predicate._predicate import Predicate, parse_predicate, predicate_from_dict
from jupyter_dci.core.predicate._slice import Slice

__all__ = ["Predicate", "Slice", "parse_predicate", "predicate_from_dict"]
