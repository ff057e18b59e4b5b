"""Known, accepted differences between our translator and QEMU 7.2 (Debian
12). Each entry says why it is not our bug. Generators already avoid the
UNPREDICTABLE forms they can (writeback with Rt == Rn, LDP with Rt == Rt2,
STXR with Rs == Rt/Rn, unaligned or out-of-range accesses):

- Unaligned data accesses with the MMU off: architecturally Device memory,
  so they must fault; QEMU 7.2 performs them. Generators only emit aligned
  accesses instead of listing them here.

Entries: (group or "*", predicate(item_text, fields) -> bool, reason)."""


def _fields(fields):
    return {name for name, _, _ in fields}


EXCLUDED = [
]


def match(group, item, fields):
    for g, pred, _ in EXCLUDED:
        if g in ("*", group) and pred(item, fields):
            return True
    return False


def match_trial(group, items, fields):
    """A whole-trial difference is excluded only when every item of the
    trial that could cause it matches an exclusion (used before bisecting)."""
    return False
