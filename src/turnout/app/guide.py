"""The first-run card (where to put the camera, how to stand, what Turnout checks, Record then Review) and the
Help page (a glossary of every figure and colour the window shows). The figures' tooltips come from the same
glossary, so the two never disagree."""

from __future__ import annotations

import html
from typing import Final

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from turnout.app import theme
from turnout.app.resources import CAMERA_PLACEMENT, pixmap
from turnout.session import display


def _med(method: str) -> str:
    """A foot's measured median error by ``method``, the worse pose, rounded (turnout.session.display's table)."""
    return f"{max(display.UNCERTAINTY[('foot', method, p)].median_deg for p in ('standing', 'plie')):.0f}"


def _p95(method: str) -> str:
    return f"{max(display.UNCERTAINTY[('foot', method, p)].p95_deg for p in ('standing', 'plie')):.0f}"


#: a foot's picture reading, 95 % within this (turnout.session.display's table)
_PIC: Final = display.p95_deg("foot", "picture", "standing")

#: QSettings key: the first-run card was closed once (it is not shown again at start; Help reopens it).
SEEN_KEY: Final = "guide/first_run_seen"

#: The card's steps: (title, text).
STEPS: Final = (
    ("Place the camera",
     "At hip height (about 1 m; not below 70 cm, where correct knees can read as inside their feet), 2.5 to 3 m in "
     "front of you, so your whole body, head to feet, is in the picture: without your face the camera cannot tell "
     "your front from your back. Face the camera: turned from it or side-on your pliés are still counted, but your "
     "knees and feet are judged from the front only."),
    ("Stand in first position",
     "Heels together, feet turned out as far as your hips allow. Turnout learns how you stand from your standing "
     "between pliés (no need to hold still; B takes it afresh)."),
    ("What Turnout checks",
     "In each plié, how far your knees travel out over your toes (what your hips give) against how far your feet "
     "are turned out. When the feet turn out further than the hips, the knees stay inside the toes and the turnout "
     "is forced from the feet: red banner, and a cue if sound is on. Only what the picture measures well enough is "
     "flagged: lifted heels, a leaning torso and uneven hips are measured but not flagged yet."),
    ("Record, then Review",
     "Press Record (Space), do your pliés, press Stop. The Review tab shows every plié of the session with its "
     "faults and its video; Progress shows the weeks. A video file (File > Open video) becomes a session too."),
)  # fmt: skip

#: Every figure the window shows: key -> (name as shown, what it means). Tooltips and the Help page read these.
FIGURES: Final = {
    "foot_left": ("Foot turnout L / R",
                  "How far each foot points out from straight ahead, in degrees (90° per foot is a perfect first "
                  "position). Every degree figure follows one rule: a number only when its measured error (95% of "
                  "frames on rendered dancers) is smaller than the 8° that would matter (the forced-turnout "
                  "warning); otherwise the range the truth lies in, e.g. '25–60°', read from the picture through a "
                  f"camera estimated from your standing (95% within ±{_PIC:.0f}° plus the camera's own uncertainty); "
                  "'calibrate' where even a range would tell you nothing: MediaPipe's 3D alone reads a foot 17-23° "
                  f"low (95% within 37°). With a sheet on the floor the picture is read through the sheet's camera: "
                  f"{display.floor_end_to_end('A4')}, so a narrower range (docs/accuracy.md)."),
    "forced_left": ("Forced L / R",
                    "Foot turnout minus what the hips give, per leg: how far the turnout is forced from the foot. "
                    "Not shown as a number ('–'): on rendered dancers it reads 11-15° off, more than the 8° fault it "
                    "would tell. Forcing is judged instead by whether your knees travel over your toes in a plié."),
    "depth": ("Last plié",
              "Your last plié's kind and depth as the picture shows it: 'demi · 14 %' means your hips went down "
              "14 % of your standing hip height (demi about 12-16 %, grand 27-54 %). Not in degrees: the knees' bend "
              "from 3D reads 6-49° shallow at the bottom on rendered dancers."),
    "total": ("Total foot turnout",
              "Left plus right foot turnout (180° = a flat first position), by the same rule as each foot: a range, "
              "or 'calibrate'."),
    "hip": ("Hip turnout",
            "What your hips give: the knees' direction at the bottom of your demi-pliés. Not shown in degrees ('–'): "
            "on rendered dancers a correct knee reads anywhere from 1° inside its foot to 50° outside. Each plié's "
            "verdict (knees over or inside your feet) is what Turnout judges; Review shows it."),
    "reps": ("Reps", "Pliés counted in this run."),
    "sets": ("Sets", "Groups of pliés: a pause longer than 20 seconds starts a new set."),
    "phase": ("Phase · hold",
              "Where you are in the plié: idle (standing), descent, bottom, ascent; 'hold' and its seconds while "
              "you hold a position."),
    "summary": ("End of a set",
                "After a set: how many pliés, how many flagged, and the most frequent fault."),
}  # fmt: skip
FIGURES["foot_right"] = FIGURES["foot_left"]
FIGURES["forced_right"] = FIGURES["forced_left"]

#: The one colour rule: (colour, name, meaning).
COLOURS: Final = (
    (theme.TEXT, "White", "measured now; no fault on this part"),
    (theme.WARN, "Amber", "a warning: a fault beginning, or a small one"),
    (theme.BAD, "Red", "a fault: what the banner says, on the part it names"),
    (theme.NEUTRAL, "Grey, '–'", "cannot be judged now (nobody in view, a part hidden, not facing the camera, "
                                "or not in a plié)"),
    (theme.OK, "Green", "in the overlay: a part measured and fine; the Floor-calibrated badge; progress of the "
                        "hips"),
    (theme.ACCENT, "Blue", "the calibrated sheet's outline, and guidance"),
)  # fmt: skip

#: Other words the window shows.
TERMS: Final = (
    ("Uncalibrated (camera estimated) (badge)",
     "Each foot is read from the picture (heel to toe) through a camera Turnout estimates from your standing: "
     f"half the frames within about {_med('picture')}°, 95 % within {_p95('picture')}° (rendered dancers, "
     "docs/accuracy.md), so a foot shows as a range (or 'calibrate to see degrees' when even a range would not "
     "tell). Calibrate the floor for narrower ranges."),
    ("Floor-calibrated (badge)",
     "A sheet of paper of known size on the floor gives the camera itself (Calibrate floor, C): each foot, read "
     f"from the picture through it, is within about {_med('picture-floor')}° in half the frames, 95 % within "
     f"{_p95('picture-floor')}° (rendered dancers with a sheet, docs/accuracy.md)."),
    ("Feet hidden",
     "The pose model's heel, ankle and toe points are closer together than a foot's (trousers over the heels, dark "
     "shoes), your outline in the picture shows trousers hanging wide around your ankles (the heel points then lie "
     "on the cloth), or in your last plié they moved as if your planted foot had turned (trousers to the floor swing "
     "with your legs): no degrees are shown for your feet, your knees are not judged against them, and calibrating "
     "would not help. Wear tights or leggings, or roll your trousers up above the ankles, so that the camera sees your "
     "heels and toes."),
    ("Knee over your foot (no degrees)",
     "With your feet turned out far, the knee travels mostly sideways and the picture cannot tell how far it went "
     "forward: Turnout then says 'over your foot' only when even the most inward reading it allows is not inside "
     "your foot, and gives no degrees."),
    ("Banner", "The most serious fault of the moment, with what to do about it."),
    ("Baseline", "How you stand, taken from your recent standing (no need to hold still); knee bends and heel lifts "
                 "are measured from it, so straight knees read 0° (MediaPipe's 3D reads a straight knee about 15° "
                 "bent)."),
    ("Review: Hips down", "How deep the plié went: how far your hips went down, in % of your standing hip "
                          "height (demi about 12-16 %, grand 27-54 %), as the live window's 'Last plié'. Not in "
                          "degrees: the knees' bend from 3D reads 6-49° shallow at the bottom."),
    ("Review: Worst, Flags", "The worst fault of the rep (coloured by the rule above) and every fault found."),
    ("From the side (profile)", "Side-on to the camera, Turnout reads your torso's line and the plumb line "
                                "(shoulder, hip and knee over the ankle), counts your pliés, relevés and tendus to the "
                                "front and back, and times holds (tendus to the side travel toward the camera: face it "
                                "for those). Turnout itself is not judged from the side: face the camera for your feet "
                                "and knees. Nor is your pelvis (tucked or arched): the picture's one hip point reads "
                                "it up to 30-45° off on some bodies and views; check it in a mirror."),
    ("Camera to your side", "If the camera stands a little to one side, Turnout reads which way you face from your "
                            "face and shoulders and takes your feet against it; facing the camera squarely is "
                            "still best. Turned further (three-quarter) your pliés, relevés and held low pliés and "
                            "high relevés are counted, your tendus and first position are not: face the camera or "
                            "stand side-on for those."),
    ("Progress: feet", "Each foot's turnout from the picture, per session, with the range that holds the "
                       "truth for 95 % of frames. A change is said only when the ranges of the first and the latest "
                       "session do not overlap; otherwise 'no change that the camera can tell'. Sessions stored "
                       "before these readings show none."),
    ("Progress: reps, flagged, knees", "Reps and flagged reps per session, and how many reps each knee was inside "
                                       "its foot (the per-plié verdict Turnout judges forcing by)."),
)  # fmt: skip


def tooltip(key: str) -> str:
    name, text = FIGURES[key]
    return f"<b>{html.escape(name)}</b><br>{html.escape(text)}"


def legend_html() -> str:
    """The colour rule, one line per colour."""
    rows = "".join(
        f'<tr><td style="color:{c}; font-weight:bold; padding-right:10px">■ {html.escape(n)}</td>'
        f"<td>{html.escape(m)}</td></tr>"
        for c, n, m in COLOURS
    )
    return f"<table>{rows}</table>"


def glossary_html() -> str:
    """The Help page: the figures, the colours and the other words, as HTML."""
    seen: set[str] = set()
    figures = ""
    for name, text in FIGURES.values():
        if name not in seen:
            seen.add(name)
            figures += f"<dt><b>{html.escape(name)}</b></dt><dd>{html.escape(text)}</dd>"
    terms = "".join(f"<dt><b>{html.escape(n)}</b></dt><dd>{html.escape(t)}</dd>" for n, t in TERMS)
    steps = "".join(f"<li><b>{html.escape(t)}</b>: {html.escape(x)}</li>" for t, x in STEPS)
    return (
        f"<h2>How to practise</h2><ol>{steps}</ol>"
        f"<h2>Colours</h2><p>One rule everywhere in the window:</p>{legend_html()}"
        f"<h2>Figures</h2><dl>{figures}</dl><h2>Other words</h2><dl>{terms}</dl>"
    )


class FirstRunCard(QDialog):
    """Four steps and the camera-placement picture; non-modal, closed with "Start"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Turnout")
        self.setObjectName("firstRun")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 16, 20, 16)
        title = QLabel("Before your first plié")
        title.setStyleSheet("font-size: 22px; font-weight: bold;")
        lay.addWidget(title)
        self.picture = QLabel()
        pm = pixmap(CAMERA_PLACEMENT)
        if not pm.isNull():  # small enough for the card to fit a 720-pixel-high screen, never squeezed
            pm = pm.scaledToWidth(min(pm.width(), 600), Qt.TransformationMode.SmoothTransformation)
            self.picture.setMinimumSize(pm.size())
        self.picture.setPixmap(pm)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setToolTip("The camera at hip height, 2.5 to 3 m away; your whole body and feet in view")
        lay.addWidget(self.picture)
        self.steps: list[QLabel] = []
        for i, (head, text) in enumerate(STEPS, 1):
            row = QHBoxLayout()
            number = QLabel(str(i))
            number.setFixedWidth(34)
            number.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
            number.setStyleSheet(f"color: {theme.ACCENT}; font-size: 22px; font-weight: bold;")
            label = QLabel(f"<b>{html.escape(head)}</b><br>{html.escape(text)}")
            label.setWordWrap(True)
            label.setStyleSheet("font-size: 14px;")
            row.addWidget(number)
            row.addWidget(label, 1)
            lay.addLayout(row)
            self.steps.append(label)
        buttons = QDialogButtonBox()
        self.start_button = buttons.addButton("Start", QDialogButtonBox.ButtonRole.AcceptRole)
        self.help_button = buttons.addButton("Glossary…", QDialogButtonBox.ButtonRole.HelpRole)
        buttons.accepted.connect(self.accept)
        lay.addWidget(buttons)
        self.setMinimumWidth(640)


class HelpDialog(QDialog):
    """The glossary: how to practise, the colour rule, every figure and word."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Turnout: help")
        lay = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setHtml(glossary_html())
        lay.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(760, 680)


def first_run_seen(qs: QSettings) -> bool:
    return str(qs.value(SEEN_KEY, "false")).lower() in ("true", "1")


def mark_first_run_seen(qs: QSettings) -> None:
    qs.setValue(SEEN_KEY, True)
    qs.sync()
