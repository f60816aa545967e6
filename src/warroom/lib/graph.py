"""Small helpers for directed graphs given as adjacency mappings."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

N = TypeVar("N", bound=Hashable)


def find_cycle(graph: Mapping[N, Iterable[N]]) -> list[N] | None:
    """A cycle as [a, b, ..., a] if the graph has one, else None. Iterative DFS."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour: dict[N, int] = {}
    for start in graph:
        if colour.get(start, WHITE) != WHITE:
            continue
        stack: list[tuple[N, list[N]]] = [(start, list(graph.get(start, ())))]
        path = [start]
        colour[start] = GREY
        while stack:
            node, pending = stack[-1]
            if not pending:
                colour[node] = BLACK
                stack.pop()
                path.pop()
                continue
            nxt = pending.pop()
            state = colour.get(nxt, WHITE)
            if state == GREY:
                return [*path[path.index(nxt) :], nxt]
            if state == WHITE:
                colour[nxt] = GREY
                path.append(nxt)
                stack.append((nxt, list(graph.get(nxt, ()))))
    return None


def reachable(graph: Mapping[N, Iterable[N]], starts: Iterable[N]) -> set[N]:
    """Every node reachable from `starts` (the starts excluded unless on a path back)."""
    seen: set[N] = set()
    todo = [n for s in starts for n in graph.get(s, ())]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return seen
