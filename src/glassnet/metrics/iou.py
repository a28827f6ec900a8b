"""Intersection over union (Jaccard index) per class, from an accumulated confusion matrix.

For class c, with the confusion matrix M (rows: truth, columns: prediction):

    IoU_c = TP_c / (TP_c + FP_c + FN_c) = M[c, c] / (row_c + column_c - M[c, c])

``IoU`` averages IoU_c over ``target_class_ids``, ``MeanIoU`` over all
classes; classes that never occur in truth or prediction are left out of
the average. As in Keras 3 (``keras/src/metrics/iou_metrics.py``) the
division adds epsilon = 1e-7: IoU_c = TP / (denominator + 1e-7).

Labels and predictions are class ids by default (``sparse_y_true=True``,
``sparse_y_pred=True``); set ``sparse_y_pred=False`` to pass class scores
(softmax outputs), whose argmax over ``axis`` is taken. Ids outside
[0, num_classes) and the ``ignore_class`` are not counted.
"""

import math
import warnings

import numpy as np

from glassnet.losses import shape_text
from glassnet.metrics.metric import Metric, as_array
from glassnet.metrics.metrics_utils import EPSILON


def _check_class_count(name, num_classes):
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"{name}: num_classes must be a positive integer, got num_classes={num_classes!r}")
    return int(num_classes)


class _IoUBase(Metric):
    """Accumulates the (num_classes, num_classes) confusion matrix."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True,
                 axis=-1):
        super().__init__(name=name, dtype=dtype or "int32")
        self.num_classes = _check_class_count(type(self).__name__, num_classes)
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.reset_state()

    def reset_state(self):
        self.total_cm = np.zeros((self.num_classes, self.num_classes), dtype=self._accumulator_dtype())

    def _accumulator_dtype(self):
        return "int64" if np.dtype(self.dtype).kind in "iu" else "float64"

    def check_targets(self, y_true, y_pred_shape):
        """As many class ids per sample in the targets as in the predictions (after argmax where not sparse)."""
        true_ids = y_true.shape[1:] if self.sparse_y_true else y_true.shape[1:-1]
        pred_ids = tuple(y_pred_shape[1:]) if self.sparse_y_pred else tuple(y_pred_shape[1:-1])
        if None in pred_ids or math.prod(true_ids) == math.prod(pred_ids):
            return
        hint = ". The predictions look like class scores: pass sparse_y_pred=False" \
            if self.sparse_y_pred and math.prod(pred_ids[:-1]) == math.prod(true_ids) else ""
        raise ValueError(f"Metric '{self.name}' expects as many class ids per sample in the targets as in the "
                         f"predictions; got targets of shape {y_true.shape} for predictions of shape "
                         f"{shape_text(y_pred_shape)}{hint}")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = as_array(y_true), as_array(y_pred)
        if not self.sparse_y_true:
            y_true = np.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = np.argmax(y_pred, axis=self.axis)
        y_true = np.asarray(y_true).reshape(-1)
        y_pred = np.asarray(y_pred).reshape(-1)
        if y_true.shape != y_pred.shape:
            hint = ""
            if y_pred.size == y_true.size * self.num_classes and self.sparse_y_pred:
                hint = ". The predictions look like class scores: pass sparse_y_pred=False"
            raise ValueError(f"{type(self).__name__}: y_true and y_pred must hold the same number of class ids, got "
                             f"{y_true.size} and {y_pred.size}{hint}")
        accumulator = self._accumulator_dtype()
        y_true = y_true.astype("int64")  # truncates, like Keras' cast to an integer dtype
        y_pred = y_pred.astype("int64")
        if sample_weight is None:
            weight = np.ones(y_true.shape, dtype=accumulator)
        else:
            weight = np.asarray(as_array(sample_weight))
            if accumulator == "int64" and weight.dtype.kind == "f":
                if np.any(weight != np.trunc(weight)):
                    warnings.warn(f"{type(self).__name__}: fractional sample weights are truncated to integers "
                                  f"because the metric's dtype is {self.dtype!r} (as in Keras). Pass dtype="
                                  "'float32' to count fractional weights", stacklevel=2)
            weight = weight.astype(accumulator).reshape(-1) if weight.ndim > 1 else weight.astype(accumulator)
            try:
                weight = np.broadcast_to(weight, y_true.shape)
            except ValueError:
                raise ValueError(f"{type(self).__name__}: sample_weight of shape {np.shape(sample_weight)} does not "
                                 f"fit {y_true.size} labels") from None
        keep = (y_true >= 0) & (y_true < self.num_classes) & (y_pred >= 0) & (y_pred < self.num_classes)
        if self.ignore_class is not None:
            keep &= y_true != self.ignore_class
        index = y_true[keep] * self.num_classes + y_pred[keep]
        counts = np.bincount(index, weights=weight[keep].astype("float64"), minlength=self.num_classes ** 2)
        self.total_cm = self.total_cm + counts.reshape(self.num_classes, self.num_classes).astype(accumulator)


class IoU(_IoUBase):
    """Mean IoU over the classes in ``target_class_ids`` (e.g. ``[0]`` for the IoU of class 0 alone)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(num_classes=num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        target_class_ids = list(target_class_ids)
        if not target_class_ids:
            raise ValueError(f"{type(self).__name__}: target_class_ids must name at least one class")
        if max(target_class_ids) >= num_classes or min(target_class_ids) < 0:
            bad = max(target_class_ids) if max(target_class_ids) >= num_classes else min(target_class_ids)
            raise ValueError(f"Target class id {bad} is out of range, which is [0, {num_classes}).")
        self.target_class_ids = target_class_ids

    def result(self):
        cm = self.total_cm.astype("float64")
        true_positives = np.diag(cm)
        denominator = cm.sum(axis=0) + cm.sum(axis=1) - true_positives
        ids = np.asarray(self.target_class_ids, dtype="int64")
        true_positives, denominator = true_positives[ids], denominator[ids]
        valid = denominator > 1e-9
        iou = np.where(valid, true_positives / (denominator + EPSILON), 0.0)
        return float(iou.sum() / (valid.sum() + EPSILON))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class BinaryIoU(IoU):
    """IoU for binary labels: predictions >= ``threshold`` are class 1; averages over ``target_class_ids``."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = (np.asarray(as_array(y_pred), dtype="float32") >= self.threshold).astype("int64")
        return super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold, "name": self.name,
                "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over all ``num_classes`` classes (the usual segmentation score)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True,
                 axis=-1):
        num_classes = _check_class_count(type(self).__name__, num_classes)
        super().__init__(num_classes=num_classes, target_class_ids=list(range(num_classes)), name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred,
                         axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """IoU with one-hot labels (and, by default, class scores as predictions)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_pred=False,
                 axis=-1):
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids, "name": self.name,
                "dtype": self.dtype, "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """Mean IoU over all classes with one-hot labels (and, by default, class scores as predictions)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}
