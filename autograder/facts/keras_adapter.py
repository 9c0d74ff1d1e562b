"""The one place that reads Keras internals (private attributes, ``keras.src`` imports).

Keras keeps what ``compile`` did in attributes it does not document, and their names have
changed between releases before (learntools' Keras checks broke that way). Everything of the
kind is read here, each read has a test of its own in ``tests/test_keras_adapter.py`` (so an
upgrade that renames one fails a named test), and each has a fallback: on a Keras without it
the grader gives less detail or says "could not be checked", never crashes.

Internals read, and why:

- ``keras.src.trainers.compile_utils.CompileLoss``: the class of the object a real ``compile``
  leaves in ``model._compile_loss``. A fake ``compile`` that only sets ``compiled``/``optimizer``
  makes none, so a model is credited as compiled outside the grader's recorder only if it holds
  one. Missing: such a model is reported as "could not be checked".
- ``model._compile_loss``: a new ``CompileLoss`` at every compile, so its identity tells whether
  the model was recompiled behind the recorder's back (``Trainer.compile(model, ...)``).
  Missing: the compiled optimizer's identity stands in (a recompile with a new optimizer is
  still seen), and a model compiled outside the recorder is not credited (as a fake compile).
- ``CompileLoss._user_loss``: the loss exactly as given to ``compile``, to describe a model
  compiled outside the recorder (``model.loss`` is public and may be overwritten afterwards).
  Missing: that model's loss cannot be checked.
- ``model.compiled``: Keras' own flag, True once ``compile`` finished. Missing: holding a
  ``CompileLoss`` counts instead.
- ``model.optimizer`` and ``LossFunctionWrapper.fn`` read from the instance ``__dict__`` (not
  through a property or ``__getattr__`` a submission could add): the compiled optimizer, and the
  function a loss object such as ``SparseCategoricalCrossentropy()`` wraps (to name it).
- ``keras.src.trainers.trainer.Trainer._symbolic_build``: Keras' own way of creating a model's
  optimizer, metric and loss variables from the shapes of a batch, which ``fit`` runs under a
  distribution strategy. The grader runs it before ``fit`` (:func:`bind`'s ``build_before_fit``)
  so that ``fit`` traces its train step once, not twice: a ``tf.function`` whose first trace
  creates variables is traced again. Same variables, same History, same errors (tested in
  ``tests/test_build_before_fit.py``). Missing: ``fit`` traces twice, as plain Keras does.

Behaviour that differs between the supported Keras versions on this lesson's answers, made the
same here (:func:`bind`'s ``compile_arguments``: the recorder passes ``compile``'s arguments on
as the newest Keras reads them), so that a submission gets the same grade on each:

- the metrics of a one-output model: recent Keras flattens any nesting of lists, tuples and
  dicts, whatever the dict's keys; Keras 3.3 (to 3.5 at least) fails ``fit`` on a tuple
  ("Expected all entries in the `metrics` list to be metric objects") and on a dict not keyed
  by the output's name. ``None`` in the list: dropped by old Keras, an error ("Expected metric,
  received `None`") in recent Keras. They are passed on as one flat list without ``None``.
- a loss class without parentheses (``loss=keras.losses.SparseCategoricalCrossentropy``): Keras
  3.1 and later make an instance of it, Keras 3.0 fails ``fit``. It is passed on as an instance
  (the loss check still asks for the parentheses).
- ``steps_per_execution``: Keras 3.3 fails ``fit`` when it exceeds the grader's small sample's
  batches ("'NoneType' object has no attribute 'items'"); it only changes speed, so it is
  left out.

Tamper resistance: learner code runs in the same process and may patch this module. So
:func:`bind` returns accessors made on the spot, as closures over references taken when it is
called. ``autograder.facts.gather`` calls it when it is imported, before any learner code runs, and
keeps the result in its own (private) globals; nothing here is looked up later by name.
"""
from __future__ import annotations

import typing

import keras


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING = _Missing()  # what a read returns for an internal this Keras does not have


class KerasInternals(typing.NamedTuple):
    """The accessors :func:`bind` makes (each documented there)."""

    CompileLoss: type | None
    compile_token: typing.Callable
    user_loss: typing.Callable
    keras_compiled: typing.Callable
    compiled_optimizer: typing.Callable
    wrapped_function: typing.Callable
    compile_arguments: typing.Callable
    build_before_fit: typing.Callable


def _import_compile_loss() -> type | None:
    try:
        from keras.src.trainers.compile_utils import CompileLoss
    except BaseException:
        return None
    return CompileLoss if isinstance(CompileLoss, type) else None


def _import_symbolic_build() -> typing.Callable | None:
    try:
        from keras.src.trainers.trainer import Trainer

        build = Trainer.__dict__["_symbolic_build"]
    except BaseException:
        return None
    return build if callable(build) else None


def _import_dataset_types() -> tuple[type, type] | tuple[None, None]:
    try:
        import tensorflow as tf

        return tf.data.Dataset, tf.TensorSpec
    except BaseException:
        return None, None


def bind() -> KerasInternals:
    """Accessors to Keras' internals, bound to the references as they are now."""
    compile_loss_class = _import_compile_loss()
    _getattribute, _type, _list, _tuple, _dict = object.__getattribute__, type, list, tuple, dict
    _mro, _len, _sorted = type.__dict__["__mro__"].__get__, len, sorted
    loss_base = keras.losses.Loss

    def _is_class(obj) -> bool:
        return any(c is type for c in _mro(_type(obj)))
    missing = MISSING

    def own(obj, name: str):
        """An attribute from the instance's own ``__dict__``, else ``missing``."""
        try:
            return _getattribute(obj, "__dict__").get(name, missing)
        except BaseException:
            return missing

    def holds_compile_loss(model) -> bool:
        value = own(model, "_compile_loss")
        return compile_loss_class is not None and any(c is compile_loss_class for c in _mro(_type(value)))

    def compile_token(model):
        """An object each real ``compile`` replaces: ``model._compile_loss`` (None when compiled without
        a loss), else the compiled optimizer."""
        token = own(model, "_compile_loss")
        if token is missing:
            token = own(model, "optimizer")
        return None if token is missing else token

    def user_loss(model):
        """The loss given to the last real ``compile`` (None if none), or ``MISSING`` if this Keras keeps
        no record of it."""
        compile_loss = own(model, "_compile_loss")
        if compile_loss is None:
            return None  # Keras compiled without a loss
        return missing if compile_loss is missing else own(compile_loss, "_user_loss")

    def keras_compiled(model) -> bool | None:
        """Whether Keras itself finished a ``compile`` of the model (a fake compile's attributes do not
        count); None when this Keras gives no way to tell."""
        flag = own(model, "compiled")
        if flag is not True and flag is not missing:
            return False
        if compile_loss_class is None:
            return None if flag is True else False
        return holds_compile_loss(model)

    def compiled_optimizer(model):
        """The optimizer ``compile`` set, or None."""
        value = own(model, "optimizer")
        return None if value is missing else value

    def wrapped_function(loss):
        """The function a loss object wraps (``LossFunctionWrapper.fn``), or None."""
        value = own(loss, "fn")
        return None if value is missing else value

    def flat(metrics) -> list:
        """Nested lists, tuples and dicts of metrics as one list (dict values in key order, as Keras does)."""
        if _type(metrics) is _dict:
            try:
                keys = _sorted(metrics)
            except BaseException:
                keys = _list(metrics)
            metrics = [metrics[k] for k in keys]
        if _type(metrics) not in (_list, _tuple):
            return [metrics]
        out = []
        for m in metrics:
            out.extend(flat(m) if _type(m) in (_list, _tuple, _dict) else [m])
        return out

    def compile_arguments(model, loss, args: tuple, kwargs: dict) -> tuple[object, tuple, dict]:
        """``compile``'s ``loss`` and further arguments as the newest Keras reads them (module docstring):
        a loss class as an instance, the metrics of a one-output model as one flat list without
        ``None``, and no ``steps_per_execution``. Never raises: on anything odd, the arguments as given."""
        try:
            named, passed = _dict(kwargs), _list(args)
            if _is_class(loss) and any(c is loss_base for c in _mro(loss)):
                try:
                    loss = loss()
                except BaseException:
                    pass  # a class that needs arguments: Keras says what is wrong
            named.pop("steps_per_execution", None)
            if _len(model.outputs) == 1:
                for name, i in (("metrics", 1), ("weighted_metrics", 2)):  # compile(optimizer, loss, loss_weights, metrics, ...)
                    if name in named and _type(named[name]) in (_list, _tuple, _dict):
                        named[name] = [m for m in flat(named[name]) if m is not None]
                    elif _len(passed) > i and _type(passed[i]) in (_list, _tuple, _dict):
                        passed[i] = [m for m in flat(passed[i]) if m is not None]
            return loss, _tuple(passed), named
        except BaseException:  # a model without outputs yet, a self-containing list...: Keras says what is wrong
            return loss, args, kwargs

    symbolic_build = _import_symbolic_build()
    dataset_class, spec_class = _import_dataset_types()
    _all = all

    def build_before_fit(model, x, y, kwargs: dict) -> bool:
        """Create the variables ``fit`` would create in its first trace (Keras' symbolic build, from
        the shapes of ``x``'s batches), so that the train step is traced once. Only for a model whose
        layers are built, and ``fit(dataset)`` with batches of ``(x, y)`` or ``(x, y, weights)``
        tensors, no ``y`` and no ``validation_split`` (Keras refuses those first). Whatever goes
        wrong is left for ``fit`` to say: never raises. Returns whether it built."""
        try:
            if symbolic_build is None or dataset_class is None or y is not None or "validation_split" in kwargs:
                return False
            if not any(c is dataset_class for c in _mro(_type(x))):
                return False
            # Only a model whose layers are built (functional, or given its input): building a layer
            # inside the trace can fail where building it here would not (a scope name Keras' trace refuses).
            if model.built is not True or not _all(layer.built is True for layer in model.layers):
                return False
            spec = x.element_spec
            if _type(spec) is not _tuple or _len(spec) not in (2, 3) or not _all(_type(s) is spec_class for s in spec):
                return False
            symbolic_build(model, data_batch=spec)
            return True
        except Exception:  # an interrupt still stops the run
            return False

    return KerasInternals(compile_loss_class, compile_token, user_loss, keras_compiled, compiled_optimizer,
                          wrapped_function, compile_arguments, build_before_fit)
