"""Image sets for the generative and vision plugins, Qt-free and offline.

``load_images`` returns float32 (N, C, H, W) arrays in [0, 1] with int64 labels (-1 unknown) for
the built-in sets (``DATASETS``) and for IDX, ``.npz`` and image-folder files on disk;
``collect_frames`` does the same for frames of a Gymnasium environment; ``scorer.DigitScorer``
judges generated digits.
"""

from workbench.data.frames import collect_frames
from workbench.data.loading import DATASETS, check_source, load_images

__all__ = ["DATASETS", "check_source", "collect_frames", "load_images"]
