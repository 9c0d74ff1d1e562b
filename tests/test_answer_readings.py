"""How the overfitting answers are read: words and sentences as learners write them (pure, no TensorFlow)."""
from __future__ import annotations

import re

import pytest

from autograder.judge import rubric
from autograder.judge.checks import evaluate, normalise_answer, read_answer
from conftest import FIRST

TABLE = FIRST.table

D, I, S = "decreases", "increases", "stays the same"
TRENDS = ["loss_trend", "accuracy_trend"]
BOOLS = ["curves_similar", "performs_well_on_new_data", "is_overfitting"]
ANSWERS = TRENDS + BOOLS
RIGHT = {"loss_trend": D, "accuracy_trend": I, "curves_similar": False,
         "performs_well_on_new_data": False, "is_overfitting": True}


def text_fact(value: str) -> dict:
    return {"defined": True, "given_as": "str", "value": value}


def read(name: str, value: str):
    return read_answer(name, text_fact(value), TABLE)


# (question, answer as written, expected reading; None = cannot be read)
TREND_TABLE = [
    ("loss_trend", "decreases", D),
    ("loss_trend", "Loss decreases over time, which shows the model is improving", D),  # the lesson's answer
    ("loss_trend", "The loss decreases over time", D),
    ("loss_trend", "it goes down", D),
    ("loss_trend", "Decreasing ↓", D),
    ("loss_trend", "Decreases", D),
    ("loss_trend", "DECREASES", D),
    ("loss_trend", "  decreasing  ", D),
    ("loss_trend", "decreased.", D),
    ("loss_trend", "decreases?", D),
    ("loss_trend", "go_down", D),
    ("loss_trend", "goes-down", D),
    ("loss_trend", "It is going down.", D),
    ("loss_trend", "it's going down", D),
    ("loss_trend", "its going down", D),
    ("loss_trend", "The loss goes down steadily over the 10 epochs", D),
    ("loss_trend", "It drops", D),
    ("loss_trend", "Drops quickly, then more slowly", D),
    ("loss_trend", "The loss keeps falling", D),
    ("loss_trend", "declines", D),
    ("loss_trend", "gets lower", D),
    ("loss_trend", "lower and lower", D),
    ("loss_trend", "It reduces", D),
    ("loss_trend", "gets smaller", D),
    ("loss_trend", "It improves", D),  # a loss that improves goes down
    ("loss_trend", "gets better", D),
    ("loss_trend", "It goes from about 1.5 to 0.7", D),
    ("loss_trend", "from 1.50 to 0.70", D),
    ("loss_trend", "📉", D),
    ("loss_trend", "↓", D),
    ("loss_trend", "⬇️ down", D),
    ("loss_trend", "down!!", D),
    ("loss_trend", "'decreases'", D),
    ("loss_trend", '"decreases"', D),
    ("loss_trend", "decreses", D),  # one typo
    ("loss_trend", "decreasing over the epochs", D),
    ("loss_trend", "It decreases as the number of epochs increases", D),
    ("loss_trend", "It decreases with increasing epochs", D),
    ("loss_trend", "decreases as the model learns", D),
    ("loss_trend", "It decreases because the model learns", D),
    ("loss_trend", "decreases, not increases", D),
    ("loss_trend", "It doesn't go up, it goes down", D),
    ("loss_trend", "Training loss decreases while validation loss increases", D),
    ("loss_trend", "The training loss decreases, the validation loss levels off", D),
    ("loss_trend", "Loss decreases and accuracy increases", D),
    ("loss_trend", "decreases with some fluctuations", D),
    ("loss_trend", "it decreases, which is good", D),
    ("loss_trend", "No, it decreases", D),
    ("loss_trend", "a constant decrease", D),
    ("loss_trend", "probably decreases", D),  # "probably" leans one way; only real hedges fail
    ("loss_trend", "increases", I),
    ("loss_trend", "Increasing.", I),
    ("loss_trend", "It goes up", I),
    ("loss_trend", "it rises", I),
    ("loss_trend", "worsens", I),
    ("loss_trend", "The loss increases over time", I),
    ("loss_trend", "stays the same", S),
    ("loss_trend", "Stays the same.", S),
    ("loss_trend", "It doesn't change", S),
    ("loss_trend", "does not change", S),
    ("loss_trend", "no change", S),
    ("loss_trend", "it stays flat", S),
    ("loss_trend", "constant", S),
    ("loss_trend", "remains constant", S),
    ("loss_trend", "plateaus", S),
    ("loss_trend", "levelled off", S),
    ("loss_trend", "neither increases nor decreases", S),
    ("loss_trend", "it stabilizes", S),
    ("loss_trend", "it stabilises", S),
    ("loss_trend", "decreases then stabilises", None),
    ("loss_trend", "decreases then increases", None),
    ("loss_trend", "decreases and increases", None),
    ("loss_trend", "increases, decreases", None),
    ("loss_trend", "decreases and then levels off", None),
    ("loss_trend", "It goes down until it flattens", None),
    ("loss_trend", "goes down then up", None),
    ("loss_trend", "goes up and down", None),
    ("loss_trend", "fluctuates", None),
    ("loss_trend", "it does not increase", None),
    ("loss_trend", "not decreasing", None),
    ("loss_trend", "it does not decrease", None),
    ("loss_trend", "doesn't go down", None),
    ("loss_trend", "isn't increasing", None),
    ("loss_trend", "never increases", None),
    ("loss_trend", "The loss does not stay the same", None),
    ("loss_trend", "maybe", None),
    ("loss_trend", "I don't know", None),
    ("loss_trend", "not sure", None),
    ("loss_trend", "I'm not sure", None),
    ("loss_trend", "idk", None),
    ("loss_trend", "perhaps it decreases", None),
    ("loss_trend", "it might decrease", None),
    ("loss_trend", "it could go either way", None),
    ("loss_trend", "yes", None),
    ("loss_trend", "no", None),
    ("loss_trend", "True", None),
    ("loss_trend", "sideways", None),
    ("loss_trend", "the loss", None),
    ("loss_trend", "?", None),
    ("loss_trend", "", None),
    ("loss_trend", "   ", None),
    ("loss_trend", "accuracy increases", None),
    ("loss_trend", "The validation loss decreases then increases", None),
    ("accuracy_trend", "increases", I),
    ("accuracy_trend", "Increasing", I),
    ("accuracy_trend", "goes up", I),
    ("accuracy_trend", "UP!", I),
    ("accuracy_trend", "It increases over time", I),
    ("accuracy_trend", "The accuracy rises", I),
    ("accuracy_trend", "improves", I),  # an accuracy that improves goes up
    ("accuracy_trend", "gets better", I),
    ("accuracy_trend", "higher", I),
    ("accuracy_trend", "↑", I),
    ("accuracy_trend", "📈", I),
    ("accuracy_trend", "Increasing ⬆️", I),
    ("accuracy_trend", "from 45% to 75%", I),
    ("accuracy_trend", "It grows", I),
    ("accuracy_trend", "climbs", I),
    ("accuracy_trend", "increse", I),  # one typo
    ("accuracy_trend", "The accuracy increases and the loss decreases", I),
    ("accuracy_trend", "training accuracy goes up, validation accuracy flattens", I),
    ("accuracy_trend", "gets worse", D),
    ("accuracy_trend", "decreases", D),
    ("accuracy_trend", "stays the same", S),
    ("accuracy_trend", "flat", S),
    ("accuracy_trend", "The loss decreases", None),
    ("accuracy_trend", "it rises then plateaus", None),
    ("accuracy_trend", "increases then decreases", None),
    ("accuracy_trend", "not increasing", None),
    ("accuracy_trend", "maybe", None),
    ("accuracy_trend", "yes", None),
]

BOOL_TABLE = [
    ("curves_similar", "no", False),
    ("curves_similar", "No", False),
    ("curves_similar", "false", False),
    ("curves_similar", "FALSE", False),
    ("curves_similar", "no they diverge", False),
    ("curves_similar", "No, they diverge", False),
    ("curves_similar", "they don't behave similarly", False),
    ("curves_similar", "They do not behave similarly.", False),
    ("curves_similar", "They behave differently", False),
    ("curves_similar", "different", False),
    ("curves_similar", "not similar", False),
    ("curves_similar", "The curves are not similar", False),
    ("curves_similar", "not the same", False),
    ("curves_similar", "No, not the same", False),
    ("curves_similar", "They diverge after a few epochs", False),
    ("curves_similar", "They are similar at first, but then they diverge", False),
    ("curves_similar", "Not really", False),
    ("curves_similar", "Not at all", False),
    ("curves_similar", "nope", False),
    ("curves_similar", "nah", False),
    ("curves_similar", "They don't", False),
    ("curves_similar", "no, there is a gap between them", False),
    ("curves_similar", "No. The validation curves flatten while the training curves keep improving", False),
    ("curves_similar", "Since they diverge, no", False),
    ("curves_similar", "no, it will not", False),
    ("curves_similar", "👎", False),
    ("curves_similar", "0", False),
    ("curves_similar", "n", False),
    ("curves_similar", "dissimilar", False),
    ("curves_similar", "no they drift apart", False),
    ("curves_similar", "diferent", False),  # one typo
    ("curves_similar", "The validation lines improve at first, but then level off", False),  # the lesson's answer
    ("curves_similar", "the validation curve levels off", False),
    ("curves_similar", "They start similar but then diverge", False),
    ("curves_similar", "yes", True),
    ("curves_similar", "similar", True),
    ("curves_similar", "They behave the same", True),
    ("curves_similar", "they do", True),
    ("curves_similar", "Yes, they are similar", True),
    ("curves_similar", "They move together", True),
    ("curves_similar", "True", True),
    ("curves_similar", "✅", True),
    ("curves_similar", "y", True),
    ("curves_similar", "1", True),
    ("curves_similar", "similiar", True),  # one typo
    ("curves_similar", "yes and no", None),
    ("curves_similar", "Yes, they diverge", None),
    ("curves_similar", "maybe", None),
    ("curves_similar", "not sure", None),
    ("curves_similar", "I don't know", None),
    ("curves_similar", "increases", None),
    ("curves_similar", "because they diverge", None),
    ("curves_similar", "sort of", None),
    ("curves_similar", "Partly", None),
    ("curves_similar", "yes/no", None),
    ("curves_similar", "True or False", None),
    ("curves_similar", "Both decrease", None),
    ("performs_well_on_new_data", "no, it will not", False),
    ("performs_well_on_new_data", "No", False),
    ("performs_well_on_new_data", "no.", False),
    ("performs_well_on_new_data", "It won't perform well on new data", False),
    ("performs_well_on_new_data", "It will not perform as well on new data", False),
    ("performs_well_on_new_data", "It might not perform well", False),
    ("performs_well_on_new_data", "It may not do as well on new images", False),
    ("performs_well_on_new_data", "probably not", False),
    ("performs_well_on_new_data", "No, it only does well on the training data", False),
    ("performs_well_on_new_data", "It performs well on training data but not on new data", False),
    ("performs_well_on_new_data", "No, because it is overfitting", False),
    ("performs_well_on_new_data", "Badly", False),
    ("performs_well_on_new_data", "poorly", False),
    ("performs_well_on_new_data", "Unlikely", False),
    ("performs_well_on_new_data", "I don't think so", False),
    ("performs_well_on_new_data", "It won't generalise well", False),
    ("performs_well_on_new_data", "It won't generalize", False),
    ("performs_well_on_new_data", "It fails to generalize", False),
    ("performs_well_on_new_data", "Well, no", False),
    ("performs_well_on_new_data", "No it won't", False),
    ("performs_well_on_new_data", "it won't", False),
    ("performs_well_on_new_data", "doesn't", False),
    ("performs_well_on_new_data", "Not on new data", False),
    ("performs_well_on_new_data", "It won't perform as well as on the training data", False),
    ("performs_well_on_new_data", "No! It performs worse on unseen data", False),
    ("performs_well_on_new_data", "No, it overfits as well", False),
    ("performs_well_on_new_data", "Only on the training data", False),
    ("performs_well_on_new_data", "definitely not", False),
    ("performs_well_on_new_data", "Of course not", False),
    ("performs_well_on_new_data", "It will do badly on new data", False),
    ("performs_well_on_new_data", "False.", False),
    ("performs_well_on_new_data", "False, it overfits", False),
    ("performs_well_on_new_data", "It will perform less well on new data", False),
    ("performs_well_on_new_data",
     "This suggests the model is starting to overfit and may not perform as well on new data", False),  # the lesson's
    ("performs_well_on_new_data", "yes", True),
    ("performs_well_on_new_data", "Yes, it will", True),
    ("performs_well_on_new_data", "It will perform well", True),
    ("performs_well_on_new_data", "It will do well on new data", True),
    ("performs_well_on_new_data", "I think so", True),
    ("performs_well_on_new_data", "It generalises well", True),
    ("performs_well_on_new_data", "True", True),
    ("performs_well_on_new_data", "sure", True),
    ("performs_well_on_new_data", "maybe", None),
    ("performs_well_on_new_data", "it might", None),
    ("performs_well_on_new_data", "it depends", None),
    ("performs_well_on_new_data", "it does not increase", None),
    ("performs_well_on_new_data", "yes and no", None),
    ("performs_well_on_new_data", "It performs well on training data", None),
    ("performs_well_on_new_data", "Yes, but only on training data", None),
    ("is_overfitting", "Yes - it overfits", True),
    ("is_overfitting", "it does overfit", True),
    ("is_overfitting", "It is overfitting", True),
    ("is_overfitting", "overfitting", True),
    ("is_overfitting", "Overfit", True),
    ("is_overfitting", "it overfits", True),
    ("is_overfitting", "Yes, because validation accuracy levels off", True),
    ("is_overfitting", "yes it is", True),
    ("is_overfitting", "It is.", True),
    ("is_overfitting", "Definitely", True),
    ("is_overfitting", "Of course", True),
    ("is_overfitting", "It's overfitting", True),
    ("is_overfitting", "Its overfitting", True),
    ("is_overfitting", "The model is overfiting", True),  # one typo
    ("is_overfitting", "yes, slightly", True),
    ("is_overfitting", "Yes, since the validation loss stops decreasing", True),
    ("is_overfitting", "Yes, training accuracy keeps increasing but validation accuracy stays the same", True),
    ("is_overfitting", "It memorises the training data", True),
    ("is_overfitting", "It memorizes the training data", True),
    ("is_overfitting", "TRUE", True),
    ("is_overfitting", " true ", True),
    ("is_overfitting", '"True"', True),
    ("is_overfitting", "'yes'", True),
    ("is_overfitting", "yes!", True),
    ("is_overfitting", "True.", True),
    ("is_overfitting", "Yes, it is overfitting after epoch 5", True),
    ("is_overfitting", "It starts overfitting after a few epochs", True),
    ("is_overfitting", "yes?", True),
    ("is_overfitting", "Yes, but only slightly", True),
    ("is_overfitting", "yep", True),
    ("is_overfitting", "Yeah", True),
    ("is_overfitting", "👍", True),
    ("is_overfitting", "over-fitting", True),
    ("is_overfitting", "yes, it's over fitting", True),
    ("is_overfitting", "t", True),
    ("is_overfitting", "it is not overfitting", False),
    ("is_overfitting", "No overfitting", False),
    ("is_overfitting", "It isn't overfitting", False),
    ("is_overfitting", "It does not overfit", False),
    ("is_overfitting", "no", False),
    ("is_overfitting", "nope", False),
    ("is_overfitting", "it's underfitting", False),
    ("is_overfitting", "Not yet", False),
    ("is_overfitting", "no, it generalises", False),
    ("is_overfitting", "maybe", None),
    ("is_overfitting", "increases", None),
    ("is_overfitting", "I'm not sure", None),
    ("is_overfitting", "Yes, it is not overfitting", None),
    ("is_overfitting", "yes and no", None),
    ("is_overfitting", "possibly", None),
    ("is_overfitting", "a little", None),
    ("is_overfitting", "Overfitting? Not sure", None),
    ("is_overfitting", "It could be overfitting", None),
    # What held at first, then one curve went its own way: the answer is the opposite of the start's.
    ("curves_similar", "They are similar at first but then the validation loss goes up", False),
    ("curves_similar", "They start similar, but then the validation loss goes up while the training loss "
                       "keeps going down", False),
    ("curves_similar", "At first yes, but later the validation accuracy levels off", False),
    ("curves_similar", "similar at first and then both go down", True),
    ("curves_similar", "They start similar", None),
    ("performs_well_on_new_data", "well at first, but then the validation loss goes up", False),
    ("is_overfitting", "no at first, but then the validation loss rises", True),
    # Each curve its own trend: not similar. The same trend for both stays unread (no yes or no said).
    ("curves_similar", "The validation loss goes up while the training loss goes down", False),
    ("curves_similar", "training accuracy keeps increasing, validation accuracy stays the same", False),
    ("curves_similar", "the training loss decreases and the validation loss decreases", None),
    ("curves_similar", "the training loss decreases while the training accuracy increases", None),
    ("is_overfitting", "The validation loss goes up while the training loss goes down", None),
]


def test_the_tables_are_large_enough():
    assert len(TREND_TABLE) >= 80 and len(BOOL_TABLE) >= 80
    assert {q for q, _, _ in TREND_TABLE} == set(TRENDS) and {q for q, _, _ in BOOL_TABLE} == set(BOOLS)


@pytest.mark.parametrize("name, answer, expected", TREND_TABLE + BOOL_TABLE)
def test_reading(name, answer, expected):
    reading = read(name, answer)
    assert reading.value == expected and type(reading.value) is type(expected)
    assert normalise_answer(name, text_fact(answer), TABLE) == expected


# What a value of another type reads as. The facts are described as autograder.facts.gather.describe does
# (numpy scalars arrive as their repr; checked against describe below).
TYPE_TABLE = [
    ("is_overfitting", {"given_as": "bool", "value": True}, True),
    ("curves_similar", {"given_as": "bool", "value": False}, False),
    ("is_overfitting", {"given_as": "bool", "repr": "np.True_"}, True),
    ("curves_similar", {"given_as": "bool", "repr": "np.False_"}, False),
    ("curves_similar", {"given_as": "bool_", "repr": "False"}, False),  # numpy 1.x
    ("is_overfitting", {"given_as": "int64", "repr": "np.int64(1)"}, True),
    ("curves_similar", {"given_as": "int64", "repr": "np.int64(0)"}, False),
    ("curves_similar", {"given_as": "int64", "repr": "np.int64(2)"}, None),
    ("is_overfitting", {"given_as": "int", "value": 1}, True),
    ("curves_similar", {"given_as": "int", "value": 0}, False),
    ("curves_similar", {"given_as": "int", "value": 2}, None),
    ("is_overfitting", {"given_as": "float", "value": 1.0}, True),
    ("is_overfitting", {"given_as": "float", "value": 1.5}, None),
    ("is_overfitting", {"given_as": "float", "value": "nan"}, None),
    ("is_overfitting", {"given_as": "NoneType", "value": None}, None),
    ("loss_trend", {"given_as": "NoneType", "value": None}, None),
    ("loss_trend", {"given_as": "list", "repr": "['decreases']"}, None),
    ("loss_trend", {"given_as": "tuple", "repr": "('decreases',)"}, None),
    ("is_overfitting", {"given_as": "dict", "repr": "{'answer': True}"}, None),
    ("is_overfitting", {"given_as": "ndarray", "repr": "array([ True])"}, None),
    ("loss_trend", {"given_as": "bool", "value": True}, None),
    ("loss_trend", {"given_as": "int", "value": -1}, None),
    ("loss_trend", {"given_as": "str_", "value": "decreases"}, D),
    ("loss_trend", {"given_as": "str_", "repr": "np.str_('goes down')"}, D),
    ("loss_trend", {"given_as": "function", "repr": "<function f at 0x7f>"}, None),
]


@pytest.mark.parametrize("name, fact, expected", TYPE_TABLE)
def test_reading_values_of_other_types(name, fact, expected):
    reading = read_answer(name, {"defined": True, **fact}, TABLE)
    assert reading.value == expected and type(reading.value) is type(expected)
    if expected is None:
        assert reading.reason  # every non-text value says what it is


def test_numpy_values_are_described_as_the_table_assumes():
    np = pytest.importorskip("numpy")
    from autograder.facts.gather import describe

    assert read_answer("is_overfitting", describe(np.bool_(True)), TABLE).value is True
    assert read_answer("curves_similar", describe(np.False_), TABLE).value is False
    assert read_answer("is_overfitting", describe(np.int64(1)), TABLE).value is True
    assert read_answer("loss_trend", describe(np.str_("The loss decreases")), TABLE).value == D
    assert read_answer("loss_trend", describe(("decreases",)), TABLE).value is None


# Why an answer could not be read: the reason names what the learner wrote.
@pytest.mark.parametrize("name, answer, words", [
    ("loss_trend", "decreases then increases", ["both", '"decreases"', '"increases"']),
    ("loss_trend", "goes down then up", ["both", '"down" (decreases)', '"up" (increases)']),
    ("curves_similar", "yes and no", ["both", '"yes"', '"no"']),
    ("curves_similar", "Yes, they diverge", ["both", '"yes"', '"diverge"']),
    ("is_overfitting", "Yes, it is not overfitting", ["both", '"yes"', '"overfitting"']),
    ("loss_trend", "it does not increase", ["does not happen", '"not increase"']),
    ("loss_trend", "maybe", ["not sure", '"maybe"']),
    ("curves_similar", "I don't know", ["not sure", "know"]),
    ("loss_trend", "goes up and down", ["up and down"]),
    ("is_overfitting", "increases", ["trend", '"increases"', "True or False"]),
    ("loss_trend", "yes", ["yes/no", '"yes"']),
    ("loss_trend", "accuracy increases", ["about the accuracy", "about the loss"]),
    ("accuracy_trend", "The loss decreases", ["about the loss", "about the accuracy"]),
    ("curves_similar", "because they diverge", ["reason", '"because"']),
    ("loss_trend", "", ["empty"]),
    ("loss_trend", "decreases " * 200, ["1000 characters"]),
])
def test_reasons_say_why(name, answer, words):
    reading = read(name, answer)
    assert reading.value is None
    for word in words:
        assert word in reading.reason


def test_reasons_for_values_of_other_types():
    assert "comma" in read_answer("loss_trend", {"given_as": "tuple", "repr": "('decreases',)"}, TABLE).reason
    assert "list" in read_answer("loss_trend", {"given_as": "list", "repr": "['decreases']"}, TABLE).reason
    assert "None" in read_answer("is_overfitting", {"given_as": "NoneType", "value": None}, TABLE).reason
    assert "yes/no question" in read_answer("loss_trend", {"given_as": "bool", "value": True}, TABLE).reason


# --- properties over the whole tables (autograder/judge/rubric.py and the exercise's) -----------------

def _single_words(words) -> list[str]:
    return sorted(w for w in words if " " not in w and "'" not in w)


def test_every_trend_spelling_reads_as_its_trend():
    for name in TRENDS:
        for reading, words in rubric.TREND_SPELLINGS.items():
            for phrase in words:
                assert read(name, phrase).value == reading, (name, phrase)
                assert read(name, f"It {phrase}.").value == reading, (name, phrase)
        for reading, words in TABLE.TREND_WORDS_BY_QUESTION.get(name, {}).items():
            for phrase in words:
                assert read(name, phrase).value == reading, (name, phrase)


@pytest.mark.parametrize("negation", ["not", "does not", "doesn't", "never", "isn't", "dont"])
def test_a_negated_trend_is_never_read_as_a_trend(negation):
    for name in TRENDS:
        for words in rubric.TREND_SPELLINGS.values():
            for word in _single_words(words):
                reading = read(name, f"it {negation} {word}")
                assert reading.value is None, (name, negation, word, reading.value)


def test_every_yes_no_word_reads_as_its_value_only_for_yes_no_questions():
    for value, words in rubric.BOOL_SPELLINGS.items():
        for phrase in words:
            for name in BOOLS:
                assert read(name, phrase).value is value, (name, phrase)
            reading = read("loss_trend", phrase)
            assert reading.value is None and "yes/no" in reading.reason, phrase
    for text, value in rubric.BOOL_WHOLE_ANSWERS.items():
        assert read("is_overfitting", text).value is value


def test_question_words_read_as_their_value_and_flip_when_negated():
    for name, table in TABLE.BOOL_WORDS_BY_QUESTION.items():
        for value, words in table.items():
            for phrase in words - rubric.ALSO_PHRASES:  # "as well" alone means "too"
                assert read(name, phrase).value is value, (name, phrase)
            for word in _single_words(words):
                assert read(name, f"not {word}").value is (not value), (name, word)
                assert read(name, f"yes {word}").value is (True if value else None), (name, word)


def test_two_different_trends_are_a_contradiction():
    words = {reading: _single_words(w)[:4] for reading, w in rubric.TREND_SPELLINGS.items()}
    for first, firsts in words.items():
        for second, seconds in words.items():
            if first == second:
                continue
            for a in firsts:
                for b in seconds:
                    reading = read("loss_trend", f"{a} then {b}")
                    assert reading.value is None and "both" in reading.reason, (a, b)


def test_every_hedge_fails():
    for hedge in rubric.HEDGES:
        for name in ANSWERS:
            reading = read(name, hedge)
            assert reading.value is None and "not sure" in reading.reason, (name, hedge)
        assert read("loss_trend", f"{hedge}, it decreases").value is None, hedge


def test_no_phrase_has_two_readings():
    trend_sets = list(rubric.TREND_SPELLINGS.values())
    for k, a in enumerate(trend_sets):
        for b in trend_sets[k + 1:]:
            assert not a & b
    for name, table in TABLE.TREND_WORDS_BY_QUESTION.items():
        for reading, words in table.items():
            for other, spelled in rubric.TREND_SPELLINGS.items():
                assert other == reading or not words & spelled, (name, words & spelled)
    for name, table in TABLE.BOOL_WORDS_BY_QUESTION.items():
        assert not table[True] & table[False], name
    assert not rubric.BOOL_SPELLINGS[True] & rubric.BOOL_SPELLINGS[False]
    assert set(rubric.TREND_SPELLINGS) == {D, I, S}  # the accepted answers other checks list


def test_symbols_are_read_as_their_words():
    for symbol, word in rubric.ANSWER_SYMBOLS.items():
        if word in ("down", "up"):
            assert read("loss_trend", symbol).value == (D if word == "down" else I), symbol
        elif word in ("yes", "no"):
            assert read("is_overfitting", symbol).value is (word == "yes"), symbol


# --- through the checks ------------------------------------------------------------------------

def judge(answers: dict) -> dict:
    described = {name: {"defined": True, "given_as": type(value).__name__, "value": value}
                 for name, value in answers.items()}
    run = {"snapshot": {"facts": {"answers": described}, "cells": []}, "outcome": "exited"}
    static = {"name": "t.py", "cells": [], "problems": []}
    results = evaluate(FIRST, static, run, tags=[f"overfitting.{n}" for n in ANSWERS])
    return {r.tag.split(".")[1]: r for r in results}


SENTENCES = {
    "loss_trend": "The loss decreases over time",
    "accuracy_trend": "It goes up.",
    "curves_similar": "no they diverge",
    "performs_well_on_new_data": "no, it will not",
    "is_overfitting": "Yes - it overfits",
}


def test_sentence_answers_pass_with_the_canonical_answer_recorded():
    results = judge(SENTENCES)
    assert {n: r.status for n, r in results.items()} == {n: "passed" for n in ANSWERS}
    assert {n: r.answer for n, r in results.items()} == {n: str(v) for n, v in RIGHT.items()}


@pytest.mark.parametrize("name, wrong, read_as", [
    ("loss_trend", "it goes up", '"increases"'),
    ("accuracy_trend", "It stays flat", '"stays the same"'),
    ("curves_similar", "They behave the same", "True"),
    ("performs_well_on_new_data", "Yes, it will", "True"),
    ("is_overfitting", "it is not overfitting", "False"),
])
def test_a_wrong_sentence_fails_saying_how_it_was_read(name, wrong, read_as):
    result = judge({**SENTENCES, name: wrong})[name]
    assert result.status == "failed"
    assert f"(read as {read_as})" in result.output
    assert TABLE.ANSWER_EXPLANATIONS[name] in result.output
    assert result.answer == read_as.strip('"')


def test_a_literal_wrong_answer_is_not_read_back():
    result = judge({**RIGHT, "is_overfitting": False})["is_overfitting"]
    assert result.status == "failed" and "read as" not in result.output


@pytest.mark.parametrize("name, answer, why", [
    ("loss_trend", "decreases then increases", 'both "decreases" and "increases"'),
    ("accuracy_trend", "it does not decrease", '"not decrease"'),
    ("curves_similar", "yes and no", 'both "yes" and "no"'),
    ("performs_well_on_new_data", "maybe", '"maybe"'),
    ("is_overfitting", "increases", '"increases"'),
    ("is_overfitting", "not sure", '"not sure"'),
])
def test_an_unreadable_answer_fails_listing_the_choices_and_why(name, answer, why):
    result = judge({**SENTENCES, name: answer})[name]
    assert result.status == "failed"
    kind = "trend" if name in TRENDS else "bool"
    assert "accepted answers" in result.output and rubric.ANSWER_CHOICES[kind] in result.output
    assert why in result.output
    assert repr(answer) in result.output
    others = judge({**SENTENCES, name: answer})
    assert all(r.status == "passed" for n, r in others.items() if n != name)


def test_trend_choices_name_every_accepted_trend():
    result = judge({**SENTENCES, "loss_trend": "sideways"})["loss_trend"]
    assert result.status == "failed"
    for trend in rubric.TREND_SPELLINGS:
        assert f'"{trend}"' in result.output


def test_a_very_long_answer_is_cut_in_the_message():
    result = judge({**SENTENCES, "loss_trend": "it is complicated " * 100})["loss_trend"]
    assert result.status == "failed" and len(result.output) < 600
    assert re.search(r"1000 characters", result.output)
