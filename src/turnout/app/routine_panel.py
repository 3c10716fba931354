"""The routine panel of the Live tab: the exercise, set and count ("Demi-pliés · set 2 of 3 · 7 / 10"), the hold's
countdown (first position, a low plié, a high relevé) and what the hold asks until it starts, the rest timer, what
is next, the guided self-check's instruction and answer, the summary at the end, and Skip exercise / End routine.
It shows :class:`turnout.session.routine_run.RoutineProgress`; the routine itself is walked on the processing
thread (``turnout.app.controller``)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from turnout.app import theme
from turnout.session.routine_run import RoutineProgress

#: What the dancer is told in the panel's line (besides corrections): a hold to take, a broken hold, no answer.
SHOWN = ("hold", "hold_broken", "selfcheck_again")
#: The headline's size: read across the room.
HEADLINE_PT = 16
FIGURE_PT = 30


def _label(point_size: int, bold: bool = False, colour: str = theme.TEXT, name: str = "") -> QLabel:
    label = QLabel("")
    label.setWordWrap(True)
    label.setFont(theme.font(point_size, bold))
    label.setStyleSheet(f"color: {colour}; background: transparent;")
    if name:
        label.setObjectName(name)
    return label


class RoutinePanel(QFrame):
    """Shows one routine's progress; hidden while no routine runs."""

    skip_requested = Signal()
    end_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        self.title = _label(11, colour=theme.MUTED, name="routineTitle")
        self.headline = _label(HEADLINE_PT, bold=True, name="routineHeadline")
        #: the count or the time, big (read across the room)
        self.figure = _label(FIGURE_PT, bold=True, name="routineFigure")
        self.prompt = _label(14, bold=True, colour=theme.ACCENT, name="routinePrompt")
        self.said = _label(13, name="routineSaid")
        self.answer = _label(15, bold=True, name="routineAnswer")
        self.next = _label(12, colour=theme.MUTED, name="routineNext")
        self.summary = _label(11, name="routineSummary")
        self.skip = QPushButton("Skip exercise")
        self.skip.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.skip.setToolTip("On to the routine's next exercise")
        self.skip.clicked.connect(self.skip_requested)
        self.end = QPushButton("End routine")
        self.end.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.end.setToolTip("End the routine here: its summary is shown and stored with the session")
        self.end.clicked.connect(self.end_requested)
        # one strip over the picture (the figures keep their height): the exercise and its count on the left, what
        # she is told in the middle, the buttons on the right
        left = QVBoxLayout()
        left.setSpacing(2)
        for w in (self.title, self.headline, self.figure):
            left.addWidget(w)
        left.addStretch(1)
        middle = QVBoxLayout()
        middle.setSpacing(2)
        for w in (self.prompt, self.said, self.answer, self.next, self.summary):
            middle.addWidget(w)
        middle.addStretch(1)
        buttons = QVBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.skip)
        buttons.addWidget(self.end)
        buttons.addStretch(1)
        self.buttons = QWidget()
        self.buttons.setLayout(buttons)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        lay.setSpacing(16)
        lay.addLayout(left, 2)
        lay.addLayout(middle, 3)
        lay.addWidget(self.buttons)
        self.progress: RoutineProgress | None = None
        self.clear()

    def clear(self, title: str = "") -> None:
        """Nothing shown yet (a routine chosen, no frame yet); ``title`` names it."""
        self.progress = None
        self.title.setText(title)
        self.headline.setText("Starts with the camera or video" if title else "")
        for w in (self.figure, self.prompt, self.said, self.answer, self.next, self.summary):
            w.setText("")
            w.hide()
        self.skip.setEnabled(False)
        self.end.setEnabled(bool(title))
        self.buttons.setVisible(bool(title))

    def show_error(self, line: str) -> None:
        """A routine file that could not be used: one line, what to change."""
        self.clear("Routine")
        self.headline.setText("No routine")
        self._set(self.said, line, theme.BAD)
        self.buttons.hide()
        self.show()

    def text(self) -> str:
        """What the panel's top says, in one line ("Demi-pliés · set 1 of 2 · 1 / 2"; tests, screenshots)."""
        return " · ".join(t for t in (self.headline.text(), self.figure.text()) if t)

    def show_progress(self, progress: RoutineProgress) -> None:
        self.progress = progress
        st = progress.status
        done = st.phase == "done" or bool(progress.summary)
        self.title.setText(progress.routine + (f" · {progress.last_time}" if progress.last_time else ""))
        self.headline.setText(progress.title())
        self.headline.setStyleSheet(f"color: {theme.OK if done else theme.TEXT}; background: transparent;")
        self._set(self.figure, progress.figure(), theme.ACCENT if st.phase == "rest" else theme.TEXT)
        if progress.prompt:  # the guided step's instruction; else what a hold asks, until its countdown starts
            self._set(self.prompt, progress.prompt, theme.ACCENT)
        else:
            self._set(self.prompt, progress.hint(), theme.TEXT)
        # said once: a correction, a broken hold, the hold to take (counts, rests and what is next show above)
        said = [e.say for e in progress.said if e.what in SHOWN or (e.what == "counted" and ":" in e.say)]
        if said:
            self._set(self.said, said[-1], theme.WARN if said[-1][:1].isdigit() or "again" in said[-1] else theme.TEXT)
        elif done or any(e.what in ("set_done", "next", "rest") for e in progress.said):
            self._set(self.said, "")
        check = progress.check
        if check is not None:
            self._set(self.answer, check.words, theme.OK if check.verdict == "over" else theme.WARN)
        else:
            self._set(self.answer, progress.advice, theme.WARN)
        self._set(self.next, f"Next: {progress.upcoming}" if progress.upcoming and not done else "", theme.MUTED)
        # the self-check's answer is shown above: the summary does not say it twice
        lines = [line for line in progress.summary if not (check is not None and line.endswith(check.words))]
        lines = [line for line in lines if not (progress.advice and progress.advice in line)]
        self._set(self.summary, "\n".join(f"• {line}" for line in lines))
        self.skip.setEnabled(not done)
        self.end.setEnabled(not done)
        self.buttons.setVisible(not done)

    def _set(self, label: QLabel, text: str, colour: str | None = None) -> None:
        label.setText(text)
        if colour is not None:
            label.setStyleSheet(f"color: {colour}; background: transparent;")
        label.setVisible(bool(text))
