from __future__ import annotations

from warroom.lib.progress import NullProgress, Progress


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_redraws_in_place_at_most_every_interval() -> None:
    written: list[str] = []
    clock = Clock()
    bar = Progress(written.append, "rows", 4, width=4, min_interval=1.0, clock=clock)

    bar.advance()  # too soon after the first draw
    clock.now = 1.5
    bar.advance()
    bar.advance()  # too soon again
    bar.advance()  # the last step is always drawn
    bar.close()
    bar.close()

    assert written == [
        "\rrows [----] 0/4",
        "\rrows [##--] 2/4",
        "\rrows [####] 4/4",
        "\rrows [####] 4/4",
        "\n",
    ]


def test_progress_never_passes_its_total() -> None:
    written: list[str] = []
    with Progress(written.append, "rows", 2, width=2, min_interval=0) as bar:
        bar.advance(5)

    assert written[-2:] == ["\rrows [##] 2/2", "\n"]


def test_empty_progress_is_full() -> None:
    assert Progress(lambda text: None, "rows", 0, width=3).render() == "rows [###] 0/0"


def test_null_progress_draws_nothing() -> None:
    with NullProgress() as bar:
        bar.advance(3)
