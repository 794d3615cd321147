"""The `corta` command line. Results go to stdout (`--json` where a command prints results); logs go to stderr."""

import json
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from corta import __version__
from corta.commands.app import app_command
from corta.commands.common import JsonOption, ModelOption, load_settings, print_json
from corta.commands.index import index_app
from corta.commands.l2s import eval_l2s, l2s_app
from corta.commands.lti import lti_app
from corta.commands.merge import merge_command
from corta.commands.prm import prm_app
from corta.commands.reporting import reports_errors
from corta.commands.serve import keys_app, serve_command
from corta.commands.tutor import eval_tutor, tutor_app
from corta.errors import ModelError
from corta.models.llm import LLM
from corta.models.runtime.catalog import PACKAGED_MODELS
from corta.models.runtime.connect import connect, remote_endpoint
from corta.models.runtime.embedded import EmbeddedServer, choose_threads
from corta.models.runtime.health import served_models
from corta.models.runtime.probe import decode_speed
from corta.models.usage import UsageLedger
from corta.solvers.optmodel.explain import conflicting_constraints, to_latex, write_model_file
from corta.solvers.optmodel.instance import expand
from corta.solvers.optmodel.schema import OptModel, load_model
from corta.solvers.optmodel.solve import solve_expanded
from corta.solvers.optmodel.verify import verify
from corta.solvers.sandbox import DEFAULT_ALLOWED_IMPORTS, SandboxLimits, run_code

app = typer.Typer(
    help="corta: compact reasoning and tutoring agents.", no_args_is_help=True, add_completion=False
)
llm_app = typer.Typer(help="Ask the LLM and inspect the runtime.", no_args_is_help=True)
sandbox_app = typer.Typer(help="Run untrusted code in the sandbox.", no_args_is_help=True)
model_app = typer.Typer(
    help="Check, solve and explain optimization models (the StructuredOR IR).", no_args_is_help=True
)
route_app = typer.Typer(
    help="Solve vehicle-routing problems with side-constraint code.", no_args_is_help=True
)
eval_app = typer.Typer(
    help="Batch evaluations on benchmarks (resumable; reports with plots).", no_args_is_help=True
)
app.add_typer(llm_app, name="llm")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(model_app, name="model")
app.add_typer(route_app, name="route")
app.add_typer(eval_app, name="eval")
app.add_typer(prm_app, name="prm")
app.add_typer(tutor_app, name="tutor")
app.add_typer(index_app, name="index")
app.add_typer(l2s_app, name="l2s")
app.add_typer(lti_app, name="lti")
app.add_typer(keys_app, name="keys")
eval_app.command("tutor")(eval_tutor)
eval_app.command("l2s")(eval_l2s)
app.command("merge")(merge_command)
app.command("serve")(serve_command)
app.command("app")(app_command)


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """corta: compact reasoning and tutoring agents on locally served small models."""
    if version:
        typer.echo(__version__)
        raise typer.Exit()
    # SIGTERM exits through Python so that servers corta started are stopped by their exit handlers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


@llm_app.command("ask")
@reports_errors
def llm_ask(
    prompt: Annotated[str, typer.Argument(help="The question or instruction.")],
    json_schema: Annotated[
        Path | None,
        typer.Option(
            "--json-schema",
            exists=True,
            dir_okay=False,
            help="Reply with JSON valid against this JSON Schema file.",
        ),
    ] = None,
    model: ModelOption = None,
    system: Annotated[str | None, typer.Option(help="A system message.")] = None,
    max_tokens: Annotated[int, typer.Option(min=1, help="Most tokens to generate.")] = 512,
    temperature: Annotated[float, typer.Option(min=0.0, help="Sampling temperature (0 = greedy).")] = 0.0,
    as_json: JsonOption = False,
) -> None:
    """Ask the model once: prints the answer text only, or only the JSON object with --json-schema."""
    settings = load_settings()
    schema = None
    if json_schema is not None:
        try:
            schema = json.loads(json_schema.read_text())
        except ValueError as error:
            raise typer.BadParameter(f"{json_schema} is not JSON: {error}") from None
    with connect(settings, model) as endpoint:
        llm = LLM(endpoint, UsageLedger(settings.usage_ledger), settings.llm_timeout_s)
        if schema is not None:
            print_json(
                llm.json(
                    prompt,
                    schema,
                    system=system,
                    max_tokens=max_tokens,
                    temperature=temperature,
                    purpose="ask",
                )
            )
            return
        text = llm.chat(prompt, system=system, max_tokens=max_tokens, temperature=temperature, purpose="ask")
        if as_json:
            print_json({"text": text, "model": endpoint.model, "usage": llm.ledger.summary()})
        else:
            typer.echo(text.strip())


@llm_app.command("info")
@reports_errors
def llm_info(
    model: ModelOption = None,
    probe: Annotated[
        bool, typer.Option(help="Start the model and measure decode speed on a short prompt.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """What would serve requests: engine, model, file, whether a server runs, and (with --probe) tokens/s."""
    settings = load_settings()
    choice = model or settings.llm_engine
    info: dict[str, Any] = {"engine": choice, "threads_now": choose_threads()}
    if choice in PACKAGED_MODELS:
        packaged = PACKAGED_MODELS[choice]
        path = packaged.path(settings.cache_dir)
        info |= {"model": packaged.name, "title": packaged.title, "licence": packaged.licence, "path": str(path),
                 "size_bytes": path.stat().st_size, "verified_sha256": packaged.sha256}  # fmt: skip
        running = EmbeddedServer(packaged, settings).running_port()
        info["running_port"] = running
    else:
        base_url = choice if choice.startswith("http") else settings.llm_base_url
        if base_url:
            info |= {"base_url": base_url, "models": served_models(base_url, settings.llm_api_key)}
    if probe:
        with connect(settings, model) as endpoint:
            llm = LLM(endpoint, timeout_s=settings.llm_timeout_s)
            tokens, seconds = decode_speed(llm)
            info |= {"probe_completion_tokens": tokens, "probe_tokens_per_s": round(tokens / seconds, 2)}
    if as_json:
        print_json(info)
    else:
        for key, value in info.items():
            typer.echo(f"{key:24s} {value}")


@app.command("serve-llm")
@reports_errors
def serve_llm(
    engine: Annotated[str, typer.Option(help="embedded | tiny | vllm | url")] = "embedded",
    model: Annotated[
        str | None, typer.Option(help="vllm: a model folder, GGUF file or hub id; url: the base URL.")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Preferred port (another is chosen if it is taken).")
    ] = None,
    host: Annotated[
        str, typer.Option(help="vllm: address to listen on (0.0.0.0 for a cluster).")
    ] = "127.0.0.1",
    tensor_parallel_size: Annotated[int, typer.Option(min=1, help="vllm: GPUs per model replica.")] = 1,
    pipeline_parallel_size: Annotated[
        int, typer.Option(min=1, help="vllm: pipeline stages (nodes, via Ray).")
    ] = 1,
    tokenizer: Annotated[str | None, typer.Option(help="vllm: tokenizer for a GGUF model.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Start a model server and keep it running until Ctrl-C; other corta commands reuse it."""
    settings = load_settings()
    if port is not None:
        settings = settings.model_copy(update={"llm_port": port})
    stopper: Callable[[], None]
    if engine in PACKAGED_MODELS:
        server = EmbeddedServer(PACKAGED_MODELS[engine], settings)
        endpoint, stopper = server.endpoint(), server.stop
    elif engine == "vllm":
        from corta.models.runtime.vllm import VllmServer

        if not model:
            raise typer.BadParameter("--engine vllm needs --model")
        vllm_server = VllmServer(
            model, settings, host, tensor_parallel_size, pipeline_parallel_size, tokenizer
        )
        endpoint, stopper = vllm_server.start(), vllm_server.stop
    elif engine == "url":
        base_url = model or settings.llm_base_url
        if not base_url:
            raise typer.BadParameter("--engine url needs --model URL or CORTA_LLM_BASE_URL")
        endpoint, stopper = remote_endpoint(base_url, settings), (lambda: None)
    else:
        raise typer.BadParameter(f"unknown engine {engine!r}")
    description = {"engine": endpoint.engine, "base_url": endpoint.base_url, "model": endpoint.model}
    print_json(description) if as_json else typer.echo(f"serving {endpoint.model} at {endpoint.base_url}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        stopper()


@sandbox_app.command("run")
@reports_errors
def sandbox_run(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Python file to run.")],
    entry: Annotated[str, typer.Option(help="Function to call.")],
    args: Annotated[str, typer.Option(help="JSON list of positional or object of keyword arguments.")] = "[]",
    allow: Annotated[
        list[str] | None, typer.Option(help="Extra module the code may import (repeatable).")
    ] = None,
    cpu_s: Annotated[int | None, typer.Option(min=1, help="CPU seconds.")] = None,
    wall_s: Annotated[float | None, typer.Option(min=0.1, help="Wall-clock seconds.")] = None,
    memory_mb: Annotated[int | None, typer.Option(min=64, help="Address-space limit in MB.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Run FILE's function ENTRY in the sandbox; exit code 0 only if it returned a value."""
    settings = load_settings()
    try:
        arguments = json.loads(args)
    except ValueError as error:
        raise typer.BadParameter(f"--args is not JSON: {error}") from None
    if not isinstance(arguments, list | dict):
        raise typer.BadParameter("--args must be a JSON list or object")
    limits = SandboxLimits(
        cpu_s=cpu_s or settings.sandbox_cpu_s,
        wall_s=wall_s or settings.sandbox_wall_s,
        memory_mb=memory_mb or settings.sandbox_memory_mb,
    )
    result = run_code(file.read_text(), entry, arguments, limits, DEFAULT_ALLOWED_IMPORTS | set(allow or []))
    if as_json:
        print_json(result.contract())
    elif result.ok:
        if result.stdout:
            typer.echo(result.stdout, err=True, nl=False)
        print_json(result.result)
    else:
        assert result.error is not None
        typer.echo(f"error ({result.error.kind}): {result.error.message}", err=True)
    raise typer.Exit(0 if result.ok else 1)


ModelFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A model in the IR (JSON).")]


def _read_model(path: Path) -> OptModel:
    try:
        data = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise ModelError(f"{path} is not a JSON file: {error}.") from None
    return load_model(data)


@model_app.command("check")
@reports_errors
def model_check(file: ModelFile, as_json: JsonOption = False) -> None:
    """Parse and type-check a model without solving it: every name, index and data shape."""
    load_settings()
    expanded = expand(_read_model(file))
    summary = {
        "ok": True,
        "variables": len(expanded.variables),
        "constraints": len(expanded.rows),
        "degree": expanded.degree,
        "integer_variables": sum(info.type != "CONTINUOUS" for info in expanded.variables),
    }
    if as_json:
        print_json(summary)
    else:
        typer.echo(
            f"ok: {summary['variables']} variables ({summary['integer_variables']} integer or binary), "
            f"{summary['constraints']} constraint rows, degree {summary['degree']}"
        )


@model_app.command("solve")
@reports_errors
def model_solve(
    file: ModelFile,
    latex: Annotated[bool, typer.Option("--latex", help="Also print the model in LaTeX.")] = False,
    lp: Annotated[
        Path | None, typer.Option("--lp", help="Write the model to this LP (or .mps) file.")
    ] = None,
    time_limit: Annotated[float, typer.Option(min=0.1, help="Solver time limit in seconds.")] = 60.0,
    as_json: JsonOption = False,
) -> None:
    """Solve a model with HiGHS: status, objective, values and an independent check of every constraint."""
    load_settings()
    model = _read_model(file)
    expanded = expand(model)
    result = solve_expanded(expanded, time_limit)
    check = verify(expanded, result.point) if result.point is not None else None
    if result.status == "infeasible":
        conflict = conflicting_constraints(expanded, min(time_limit, 10.0))
        if conflict:
            result.message += f" These constraints conflict: {', '.join(conflict)}."
    if lp is not None:
        write_model_file(expanded, lp)
    if as_json:
        print_json(result.contract(check.max_violation if check else None))
        return
    typer.echo(f"status      {result.status}")
    if result.objective is not None:
        typer.echo(f"objective   {result.objective:.10g}")
    if check is not None:
        typer.echo(f"verified    max violation {check.max_violation:.3g}")
    typer.echo(result.message)
    for label, value in result.values.items():
        if abs(value) > 1e-9:
            typer.echo(f"  {label:24s} {value:.10g}")
    if latex:
        typer.echo(to_latex(model))


@route_app.command("solve")
@reports_errors
def route_solve(
    instance: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="A Solomon or CVRPLIB instance file.")
    ],
    checker: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="Python file defining check_constraints(solution)."),
    ] = None,
    penalty: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="Python file defining penalty(solution).")
    ] = None,
    seconds: Annotated[float, typer.Option(min=0.1, help="Time limit of the search.")] = 5.0,
    seed: Annotated[int, typer.Option(help="Seed of the search.")] = 0,
    plot: Annotated[Path | None, typer.Option(help="Draw the plan to this PNG file.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Find a plan with the ALNS backbone; constraint code runs in the sandbox with the whole search."""
    from corta.solvers.routing.instance import InstanceError, read_instance
    from corta.solvers.routing.plot import plot_routes
    from corta.solvers.routing.sandboxed import solve_with_code

    load_settings()
    try:
        data = read_instance(instance)
        outcome = solve_with_code(
            instance,
            checker.read_text() if checker else None,
            penalty.read_text() if penalty else None,
            seconds=seconds,
            seed=seed,
        )
    except InstanceError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    if plot is not None:
        plot_routes(
            data, outcome.routes, plot, outcome.violations, title=f"{instance.name}: {outcome.cost:.1f}"
        )
    if as_json:
        print_json(outcome.contract())
        return
    verdict = "feasible" if outcome.feasible else "NOT feasible"
    typer.echo(
        f"{verdict}, distance {outcome.cost:.2f}, {len(outcome.routes)} routes, {outcome.seconds:.1f} s"
    )
    _echo_plan(outcome.routes, outcome.violations)


def _echo_plan(routes: list[list[int]], violations: list[str]) -> None:
    for number, route in enumerate(routes, start=1):
        typer.echo(f"  route {number}: 0 {' '.join(map(str, route))} 0")
    for violation in violations:
        typer.echo(f"  violation: {violation}")


@route_app.command("ask")
@reports_errors
def route_ask(
    description: Annotated[str, typer.Argument(help="The side constraints in plain words.")],
    instance: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="A Solomon or CVRPLIB instance file.")
    ],
    seconds: Annotated[float, typer.Option(min=0.1, help="Time limit of each search.")] = 5.0,
    seed: Annotated[int, typer.Option(help="Seed of the search and the sampling.")] = 0,
    rounds: Annotated[int, typer.Option(min=0, help="Repair rounds at most.")] = 3,
    plot: Annotated[Path | None, typer.Option(help="Draw the plan to this PNG file.")] = None,
    model: ModelOption = None,
    as_json: JsonOption = False,
) -> None:
    """Turn side constraints in words into constraint code (templates chosen and filled by the LLM, tested in
    the sandbox) and plan routes under it; says which constraints it could not honour."""
    from corta.agents.router.agent import route_problem
    from corta.agents.router.prefilter import Prefilter
    from corta.solvers.routing.instance import InstanceError, read_instance
    from corta.solvers.routing.plot import plot_routes

    settings = load_settings()
    try:
        data = read_instance(instance)
    except InstanceError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    with connect(settings, model) as endpoint:
        llm = LLM(endpoint, UsageLedger(settings.usage_ledger), settings.llm_timeout_s)
        result = route_problem(
            description, instance, llm, seconds=seconds, seed=seed, max_rounds=rounds, prefilter=Prefilter()
        )
    if plot is not None:
        plot_routes(
            data, result.outcome.routes, plot, result.violations,
            title=f"{instance.name}: {result.outcome.cost:.1f}",
        )  # fmt: skip
    if as_json:
        print_json(result.contract())
        return
    verdict = "feasible" if result.feasible else "NOT feasible"
    typer.echo(
        f"{verdict}, distance {result.outcome.cost:.2f}, {len(result.outcome.routes)} routes; "
        f"{result.calls} LLM calls, {result.rounds} repair rounds, {result.seconds:.1f} s"
    )
    for item in result.constraints:
        typer.echo(f"  constraint: {item['template']} {json.dumps(item['params'])} ({item['status']})")
    _echo_plan(result.outcome.routes, result.violations)
    for finding in result.findings:
        typer.echo(f"  note: {finding}")
    if result.check_code:
        typer.echo("\n" + result.check_code)


MethodOption = Annotated[str, typer.Option(help="cot | sc | tot | beam | bpp | code")]
PrmOption = Annotated[
    str,
    typer.Option(
        help="Process reward model for beam/bpp: scorer (trained, `corta prm train`) | judge | served | auto (the scorer when trained, else the judge)."
    ),
]


@model_app.command("ask")
@reports_errors
def model_ask(
    problem: Annotated[str, typer.Argument(help="The optimization problem in words.")],
    method: MethodOption = "bpp",
    beam: Annotated[int | None, typer.Option(min=1, help="Nodes kept per level (tree methods).")] = None,
    children: Annotated[
        int | None, typer.Option(min=1, help="Children sampled per node (tree methods).")
    ] = None,
    prm: PrmOption = "scorer",
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = 0,
    time_limit: Annotated[float, typer.Option(min=0.1, help="Solver time limit per model, seconds.")] = 30.0,
    model: ModelOption = None,
    as_json: JsonOption = False,
) -> None:
    """Model a word problem and solve it: the chosen model (LaTeX), its solution, and what the search cost."""
    from corta.agents.modeler.agent import solve_problem
    from corta.agents.modeler.prm_choice import prm_for_method

    settings = load_settings()
    with connect(settings, model) as endpoint:
        llm = LLM(endpoint, UsageLedger(settings.usage_ledger), settings.llm_timeout_s)
        scorer = prm_for_method(prm, method, llm, settings)
        result = solve_problem(
            problem,
            llm,
            method,
            prm=scorer,
            children=children,
            width=beam,
            seed=seed,
            time_limit_s=time_limit,
        )
    if as_json:
        print_json(result.contract())
        return
    typer.echo(f"status      {result.status}")
    if result.objective is not None:
        typer.echo(f"objective   {result.objective:.10g}")
    typer.echo(result.message)
    if result.latex:
        typer.echo("\n" + result.latex)
    for label, value in result.values.items():
        typer.echo(f"  {label} = {value:.10g}")
    typer.echo(
        f"search      {result.method}: {result.policy_calls} policy calls, {result.tokens} tokens, "
        f"{result.seconds:.1f} s, {len(result.tree)} tree nodes"
    )


@eval_app.command("or")
@reports_errors
def eval_or(
    bench: Annotated[
        str,
        typer.Option(
            help="nl4opt | mamo_easy | mamo_complex | optibench | nlp4lp | logior | complexor | structuredor"
        ),
    ],
    data: Annotated[
        Path, typer.Option(help="The folder holding one folder per OR benchmark (e.g. ../shared/data/or).")
    ],
    out: Annotated[
        Path,
        typer.Option(
            help="Output folder of this method (results.jsonl, report.md); its parent gets comparison.md."
        ),
    ],
    method: MethodOption = "cot",
    variant: Annotated[
        str | None, typer.Option(help="The benchmark file variant (default: the cleanest).")
    ] = None,
    sample_size: Annotated[
        int | None, typer.Option("--sample", help="A seeded sample of this many items.")
    ] = None,
    sample_seed: Annotated[int, typer.Option(help="Seed of the sample.")] = 0,
    prm: PrmOption = "scorer",
    beam: Annotated[int | None, typer.Option(min=1, help="Nodes kept per level (tree methods).")] = None,
    children: Annotated[
        int | None, typer.Option(min=1, help="Children sampled per node (tree methods).")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Problems solved at once.")] = 1,
    limit: Annotated[int | None, typer.Option(min=0, help="Only the first N items (of the sample).")] = None,
    model: ModelOption = None,
) -> None:
    """Evaluate a modeler method on an OR benchmark with strict scoring (resumable); compare methods side by side."""
    from corta.agents.modeler.prm_choice import prm_for_method
    from corta.datasets.corrections import Corrections
    from corta.datasets.evaluate import run_evaluation, write_report, write_whole_text
    from corta.datasets.optimization import load_benchmark
    from corta.datasets.or_compare import write_comparison
    from corta.datasets.or_eval import ModelerTask
    from corta.datasets.sampling import sample

    settings = load_settings()
    corrections = Corrections.load()
    problems = load_benchmark(bench, data, variant, corrections)
    problems = [problem for problem in problems if problem.status != "unknown"]
    if sample_size is not None:
        problems = sample(problems, sample_size, seed=sample_seed)
    out.mkdir(parents=True, exist_ok=True)
    write_whole_text(
        out / "sample_ids.json", json.dumps([problem.id for problem in problems], indent=1) + "\n"
    )
    with connect(settings, model) as endpoint:
        llm = LLM(endpoint, UsageLedger(settings.usage_ledger), settings.llm_timeout_s)
        task = ModelerTask(
            llm, method, prm_for_method(prm, method, llm, settings), children=children, width=beam
        )
        command = "corta " + " ".join(sys.argv[1:])
        summary = run_evaluation(task, problems, out, workers=workers, limit=limit, command=command)
    report = write_report(out, f"{bench}: modeler method {method}", command, "wall_seconds")
    corrected = corrections.report(problems)
    corrections_section = f"\n## Label corrections applied ({len(corrected)})\n\n" + "".join(
        f"- {json.dumps(entry, ensure_ascii=False)}\n" for entry in corrected
    )
    write_whole_text(report, report.read_text(encoding="utf-8") + corrections_section)
    comparison = write_comparison(out.parent, f"{bench}: modeler methods side by side")
    typer.echo(
        f"{summary.overall.successes}/{summary.overall.items} correct at 1e-6; report: {out / 'report.md'}; "
        f"comparison: {comparison}"
    )


@eval_app.command("routing")
@reports_errors
def eval_routing(
    data: Annotated[Path, typer.Option(help="The routbench folder (its JSON files and instance files).")],
    out: Annotated[Path, typer.Option(help="Output folder: results.jsonl, report.md, plots (resumable).")],
    bench: Annotated[str, typer.Option(help="Benchmark: routbench.")] = "routbench",
    method: Annotated[
        str | None,
        typer.Option(
            help="ars (the router agent) | ars-llm (the agent, the LLM choosing every template) | direct (the LLM "
            "writes a solver) | oracle (reference checkers)."
        ),
    ] = None,
    oracle_checker: Annotated[
        bool,
        typer.Option(
            "--oracle-checker",
            help="Plug in each variant's reference checker (tests the backbone): --method oracle.",
        ),
    ] = False,
    split: Annotated[str, typer.Option(help="simple | complex | all")] = "all",
    size: Annotated[int, typer.Option(help="Customers: 25, 50 or 100.")] = 25,
    sample_size: Annotated[
        int | None, typer.Option("--sample", help="A seeded sample of this many variants.")
    ] = None,
    sample_seed: Annotated[int, typer.Option(help="Seed of the sample.")] = 0,
    seconds: Annotated[float, typer.Option(min=0.1, help="Search time per variant.")] = 5.0,
    reference_seconds: Annotated[
        float | None,
        typer.Option(
            help="Also solve each variant this long under its reference checker; report the distance gap."
        ),
    ] = None,
    rounds: Annotated[int, typer.Option(min=0, help="Repair rounds at most (ars).")] = 3,
    workers: Annotated[int, typer.Option(min=1, help="Variants solved at once.")] = 2,
    limit: Annotated[int | None, typer.Option(min=0, help="Only the first N variants.")] = None,
    model: ModelOption = None,
) -> None:
    """Evaluate routing on RoutBench: the router agent (ars), the LLM writing a whole solver (direct), or the
    backbone under each variant's own checker (oracle)."""
    from corta.datasets.evaluate import run_evaluation, write_report, write_whole_text
    from corta.datasets.routbench import load_routbench
    from corta.datasets.routing_eval import ReferenceRuns, RoutingAgentTask, RoutingOracleTask
    from corta.datasets.sampling import sample

    settings = load_settings()
    if bench != "routbench":
        raise typer.BadParameter("only --bench routbench exists for routing")
    if oracle_checker and method not in (None, "oracle"):
        raise typer.BadParameter("--oracle-checker is --method oracle; give one of them")
    method = "oracle" if oracle_checker else method or "ars"
    if method not in ("ars", "ars-llm", "direct", "oracle"):
        raise typer.BadParameter(f"unknown method {method!r}: use ars, ars-llm, direct or oracle")
    variants = load_routbench(data, split, size)  # type: ignore[arg-type]
    if sample_size is not None:
        variants = sample(variants, sample_size, seed=sample_seed)
    out.mkdir(parents=True, exist_ok=True)
    write_whole_text(
        out / "sample_ids.json", json.dumps([variant.id for variant in variants], indent=1) + "\n"
    )
    command = "corta " + " ".join(sys.argv[1:])
    if method == "oracle":
        task: Any = RoutingOracleTask(data, seconds=seconds, reference_seconds=reference_seconds)
        summary = run_evaluation(task, variants, out, workers=workers, limit=limit, command=command)
        title = f"RoutBench with reference checkers ({split}, {size} customers)"
    else:
        from corta.agents.router.prefilter import Prefilter

        with connect(settings, model) as endpoint:
            llm = LLM(endpoint, UsageLedger(settings.usage_ledger), settings.llm_timeout_s)
            task = RoutingAgentTask(
                data, llm, method, seconds=seconds, rounds=rounds, reference_seconds=reference_seconds,
                references=ReferenceRuns(out.parent / "reference_runs.jsonl"),
                prefilter=Prefilter() if method != "direct" else None,
            )  # fmt: skip
            summary = run_evaluation(task, variants, out, workers=workers, limit=limit, command=command)
        title = f"RoutBench, method {method} ({split}, {size} customers)"
    report = write_report(out, title, command, "cost")
    typer.echo(f"{summary.overall.successes}/{summary.overall.items} plans passed; report: {report}")


if __name__ == "__main__":
    app()
