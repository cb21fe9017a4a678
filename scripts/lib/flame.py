#!/usr/bin/env python3
"""Folds `perf script` output into collapsed stacks and draws them as a flame graph.

    perf script -i perf.data | flame.py FOLDED.txt FLAME.svg [TITLE]

FOLDED.txt: one line per distinct stack, "root;caller;...;leaf COUNT" (the format other
flame-graph tools read too). FLAME.svg: a static SVG, widest stacks at the bottom, each
frame's width its share of the samples; hovering a frame shows its name and share.
Symbols are demangled with `swift demangle --simplified` when the toolchain has it.
Standard library only.
"""
import collections
import html
import shutil
import subprocess
import sys

WIDTH, ROW, FONT = 1600, 17, 11
MIN_WIDTH = 0.3  # pixels: narrower frames are left out of the picture (still in FOLDED)


def stacks(lines):
    """Yields (frames root first, count) from perf script's text: a header line per sample,
    then one line per frame (leaf first), then a blank line."""
    header, frames = None, []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if header is not None:
                yield [header] + frames[::-1], 1
            header, frames = None, []
        elif header is None:
            header = line.split()[0]  # the command (thread) name
        else:
            parts = line.strip().split(" ", 1)
            symbol = parts[1] if len(parts) > 1 else parts[0]
            symbol = symbol.rsplit(" (", 1)[0]  # drop "(dso)"
            symbol = symbol.split("+0x")[0]
            frames.append(symbol if symbol != "[unknown]" else "?")
    if header is not None:
        yield [header] + frames[::-1], 1


def demangle(names):
    tool = shutil.which("swift")
    if not tool or not names:
        return {name: name for name in names}
    done = subprocess.run([tool, "demangle", "--simplified"], input="\n".join(names), capture_output=True, text=True)
    out = done.stdout.splitlines()
    if done.returncode != 0 or len(out) != len(names):
        return {name: name for name in names}
    return dict(zip(names, out))


def color(name):
    value = sum(ord(c) for c in name)
    return f"rgb({200 + value % 55},{80 + value * 7 % 120},{40 + value * 3 % 60})"


def draw(folded, title):
    tree = {}
    total = 0
    for stack, count in folded.items():
        total += count
        node = tree
        for frame in stack:
            entry = node.setdefault(frame, [0, {}])
            entry[0] += count
            node = entry[1]
    depth = [0]
    rects = []

    def walk(node, x, level):
        depth[0] = max(depth[0], level + 1)
        for frame, (count, children) in sorted(node.items()):
            width = count / total * WIDTH
            if width >= MIN_WIDTH:
                rects.append((x, level, width, frame, count))
                walk(children, x, level + 1)
            x += width

    walk(tree, 0.0, 0)
    height = (depth[0] + 2) * ROW
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'font-family="monospace" font-size="{FONT}">',
           f'<text x="4" y="{ROW - 4}">{html.escape(title)} ({total} samples)</text>']
    for x, level, width, frame, count in rects:
        y = height - (level + 1) * ROW
        label = html.escape(frame)
        out.append(f'<g><title>{label} ({count} samples, {count / total:.2%})</title>'
                   f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{ROW - 1}" fill="{color(frame)}"/>')
        chars = int(width / (FONT * 0.62))
        if chars > 3:
            text = frame if len(frame) <= chars else frame[:chars - 2] + ".."
            out.append(f'<text x="{x + 2:.1f}" y="{y + ROW - 5}">{html.escape(text)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    counts = collections.Counter()
    for frames, count in stacks(sys.stdin):
        counts[tuple(frames)] += count
    names = sorted({frame for stack in counts for frame in stack})
    readable = demangle(names)
    folded = collections.Counter()
    for stack, count in counts.items():
        folded[tuple(readable[f].replace(";", ",") for f in stack)] += count
    with open(sys.argv[1], "w") as f:
        for stack, count in folded.most_common():
            f.write(";".join(stack) + f" {count}\n")
    with open(sys.argv[2], "w") as f:
        f.write(draw(folded, sys.argv[3] if len(sys.argv) > 3 else "flame graph"))


if __name__ == "__main__":
    main()
