"""Which TeX math may go into a `.bib` file: an allow-list of control sequences.

A `.bib` entry is read by a LaTeX document that cites it: TeX inside `$...$` there runs as
the citer's code. A title `Attention $\\input{/etc/hostname}$` would make their document
read a file of their machine (`\\openin`, `\\read`, `\\write18` can do worse). So a formula
is kept as TeX only when every control sequence in it is a known, inert math command, its
braces balance (for TeX and for BibTeX, which counts even `\\{`), and it holds no `^^`
(TeX's character-code notation: `^^5cinput` is `\\input`). Any other formula is written as
escaped text, so the reader sees its source and TeX runs none of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa "
          "lambda mu nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi "
          "omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega")
_SYMBOLS = ("pm mp times div cdot ast star circ bullet oplus ominus otimes oslash odot cap "
            "cup sqcap sqcup vee wedge setminus wr diamond dagger ddagger amalg leq le geq ge "
            "neq ne equiv approx cong simeq sim propto prec succ preceq succeq ll gg subset "
            "supset subseteq supseteq sqsubseteq sqsupseteq in ni notin vdash dashv models "
            "perp mid parallel asymp doteq bowtie to gets leftarrow rightarrow Leftarrow "
            "Rightarrow leftrightarrow Leftrightarrow longrightarrow longleftarrow "
            "Longrightarrow Longleftrightarrow mapsto longmapsto uparrow downarrow Uparrow "
            "Downarrow hookrightarrow hookleftarrow implies iff forall exists nexists "
            "emptyset varnothing infty nabla partial ell hbar imath jmath Re Im aleph wp top "
            "bot angle triangle neg lnot prime backslash ldots cdots vdots ddots dots "
            "langle rangle lfloor rfloor lceil rceil lbrace rbrace vert Vert lvert rvert "
            "lVert rVert colon")
_OPERATORS = ("sum prod coprod int iint iiint oint bigcup bigcap bigoplus bigotimes bigvee "
              "bigwedge lim liminf limsup sup inf max min arg argmax argmin det dim exp ker "
              "log ln lg sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh deg gcd "
              "Pr hom mod bmod pmod")
_STRUCTURE = ("frac dfrac tfrac binom sqrt left right big Big bigg Bigg bigl bigr Bigl Bigr "
              "biggl biggr middle over overline underline overbrace underbrace hat widehat "
              "tilde widetilde bar vec dot ddot check breve acute grave mathring "
              "overrightarrow overleftarrow stackrel overset underset limits nolimits "
              "mathbb mathcal mathfrak mathscr mathrm mathbf mathit mathsf mathtt mathnormal "
              "boldsymbol bm text textrm textbf textit textsf texttt operatorname "
              "displaystyle textstyle scriptstyle quad qquad enspace thinspace "
              "cdotp ldotp star not")
#: The control words a kept formula may use.
MATH_COMMANDS = frozenset(" ".join((_GREEK, _SYMBOLS, _OPERATORS, _STRUCTURE)).split())
#: The control symbols (a backslash and one non-letter) a kept formula may use: spacing,
#: escaped specials. Not `\\` (a line break, and `\\%` would start a comment).
MATH_SYMBOLS = frozenset(",;:! {}|%&#_$")

_TOKEN = re.compile(r"\\(?:[A-Za-z]+|.?)|[{}]", re.DOTALL)


def is_safe_math(tex: str) -> bool:
    """True when `tex` (the inside of `$...$`) may be written to a `.bib` file as TeX."""
    if "^^" in tex or not _balanced(tex):
        return False
    pieces = [match.group() for match in _TOKEN.finditer(tex)]
    # braces balanced as TeX counts them too (`\{` is a command there, not a brace)
    return _balanced(pieces) and all(_allowed(piece) for piece in pieces
                                     if piece not in ("{", "}"))


def _allowed(command: str) -> bool:
    """A control word on the allow-list, or an allowed control symbol."""
    name = command[1:]
    return name in MATH_COMMANDS if name.isalpha() else bool(name) and name in MATH_SYMBOLS


def _balanced(pieces: Iterable[str]) -> bool:
    """Every `}` closes an earlier `{`, and every `{` is closed. Over the characters this
    is how BibTeX counts braces (escaped or not): else `$\\}$` would end the field early
    and what follows could be read as new fields."""
    depth = 0
    for piece in pieces:
        if piece == "{":
            depth += 1
        elif piece == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0
