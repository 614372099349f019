"""`python -m crosspost` and the `crosspost` console script (pyproject: ``crosspost.__main__:run``)."""


def run() -> None:
    """The CLI, started the cheap way (bench/RESULTS.md, start-up): dataclass methods and regular
    expressions from their compiled caches (crosspost/dataclass_cache.py, regex_cache.py),
    installed before anything defines or compiles one; and no cyclic garbage collection while the
    CLI is imported: everything allocated then lives to the end, yet each collection would walk it
    (several ms of every start). Those objects are then frozen (never walked again) and collection
    is back on for the command itself."""
    import gc

    gc.disable()
    try:
        from . import dataclass_cache, regex_cache

        dataclass_cache.install()
        regex_cache.install()
        from .cli.main import main
    finally:
        gc.freeze()
        gc.enable()
    main()


if __name__ == "__main__":
    run()
