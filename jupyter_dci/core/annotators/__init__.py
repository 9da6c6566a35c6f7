"""Several annotators: how much they agree, and one consensus label per row.

- :func:`agreement`: Krippendorff's alpha and Fleiss' kappa with bootstrap intervals,
  agreement per class and per annotator, Cohen's kappa per pair, the classes annotators mix
  up, and the rows ranked by how contested they are (``_agreement``; the coefficients and
  the bootstrap in ``_stats``).
- :func:`consensus`: a consensus label per row with a quality score, and each annotator's
  quality and confusion matrix, by a Dawid-Skene model with crowd-informed smoothing
  (``_em``), taking a model's out-of-sample probabilities as a calibrated prior when given
  (``_prior``).
- Both read annotations in the wide or the long shape through :func:`read_annotations`
  (``_input``), which checks them once.

Examples
--------
>>> import pandas as pd
>>> from jupyter_dci.core.annotators import agreement, consensus
>>> wide = pd.DataFrame({"ann": ["cat", "dog", "cat"], "bob": ["cat", "cat", "cat"],
...                      "cy": ["cat", "dog", "cat"]})
>>> agreement(wide).n_contested
1
>>> consensus(wide).labels.tolist()
['cat', 'dog', 'cat']
"""

from jupyter_dci.core.annotators._agreement import Agreement, agreement
from jupyter_dci.core.annotators._consensus import Consensus, consensus
from jupyter_dci.core.annotators._input import Annotations, read_annotations

__all__ = ["Agreement", "Annotations", "Consensus", "agreement", "consensus", "read_annotations"]
