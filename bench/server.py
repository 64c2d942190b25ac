"""Server: what a decision click costs a real `streamlit run` server, against a one-button app in the same run.

The other benchmarks time AppTest reruns; a trainee waits on a server. Here
the app runs as `streamlit run` on private data, and simulated trainees talk
to it as a browser does, over Streamlit's own WebSocket protocol: each rerun
is a `BackMsg` carrying the widget values a person would have set, and the
answer is the stream of `ForwardMsg`s up to `script_finished`. Nothing is
rendered, so the figures are the server's, not a browser's on this small
machine.

A decision is two clicks, as in the browser: choose the call, then send it.
The figures:

* server CPU per click, from `/proc/PID/stat` (utime + stime) of the server
  process around each click of one trainee working alone, for the send click
  and the choose-call click, against the one-button app's click;
* click-to-feedback latency (send to `script_finished`) with 1 and 10
  trainees, each clicking every few seconds;
* capacity: trainees clicking once every 5 s each, added in steps, while the
  95th percentile of click-to-feedback stays under 500 ms.

Trainees are signed in by the re-authentication cookie the app itself sets
after a form sign-in, and each works its own attempt of `hands_on_practice`
(a new one, started through the core, when the queue is done).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.app_env import app_folder
from bench.measure import ROOT, Check, Context, Figure, Outcome
from optrain import accounts, signin, storage, training
from optrain.calls import label_of
from optrain.scenarios.loader import load_scenario_file
from tests.e2e.server import AppServer, free_port

NAME = "server"
TITLE = "Server: CPU per decision click and click-to-feedback on a real server, against a one-button app"
SCENARIO = "hands_on_practice"
TRAINEE = "trainee"
BASELINE_SCRIPT = 'import streamlit as st\n\nif st.button("Click", key="click"):\n    st.write("Clicked")\n'
# Calls that need typing before they can be sent (a template to pick, a reason): a trainee clicking fast
# takes the others, which is also what the timing compares.
TYPED_CALLS = {label_of("approve_template"), label_of("escalate_manager")}
TARGET_RATIO = 1.5
CAPACITY_P95_S = 0.5
CLICK_EVERY_S = 5.0
TICK = os.sysconf("SC_CLK_TCK")
FINISHED_EARLY = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds (fields 14 and 15 of /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


@dataclass
class Widget:
    kind: str
    id: str
    key: str
    proto: object
    fragment_id: str


@dataclass
class Client:
    """One browser tab, as far as the server can tell: a WebSocket, the page it is on, the widgets it shows."""

    url: str
    cookie: str
    page: str
    query: str
    ws: object = None
    page_hash: str = ""
    widgets: dict[str, Widget] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    messages: int = 0  # ForwardMsgs received, for the figures

    async def connect(self) -> None:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.ws = await websockets.connect(
            self.url, subprotocols=["streamlit"], additional_headers=headers, max_size=None
        )

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    def find(self, prefix: str) -> Widget | None:
        return next((w for key, w in self.widgets.items() if key.startswith(prefix)), None)

    async def rerun(self, states: list[WidgetState] = (), fragment_id: str = "") -> float:
        """Send one rerun; returns the seconds until its script finished (reruns it asked for included)."""
        client_state = ClientState(
            query_string=self.query,
            page_script_hash=self.page_hash,
            page_name="" if self.page_hash else self.page,
            fragment_id=fragment_id,
        )
        client_state.widget_states.widgets.extend(states)
        message = BackMsg()
        message.rerun_script.CopyFrom(client_state)
        began = time.perf_counter()
        await self.ws.send(message.SerializeToString())
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self.ws.recv())
            kind = forward.WhichOneof("type")
            self.messages += 1
            if kind == "new_session":
                self.widgets, self.texts = {}, []
            elif kind == "navigation":  # the page this run drew (new_session names the router script)
                self.page_hash = forward.navigation.page_script_hash
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                self._element(forward.delta.new_element, forward.delta.fragment_id)
            elif kind == "script_finished" and forward.script_finished != FINISHED_EARLY:
                return time.perf_counter() - began

    def _element(self, element: object, fragment_id: str) -> None:
        kind = element.WhichOneof("type")
        proto = getattr(element, kind)
        widget_id = getattr(proto, "id", "")
        if widget_id.startswith("$$ID-"):
            key = widget_id.split("-", 2)[2]
            self.widgets[key] = Widget(kind, widget_id, key, proto, fragment_id)
        elif kind in ("markdown", "alert", "toast"):
            self.texts.append(getattr(proto, "body", ""))

    async def click(self, widget: Widget, *others: WidgetState) -> float:
        return await self.rerun([WidgetState(id=widget.id, trigger_value=True), *others], widget.fragment_id)

    async def choose(self, widget: Widget, option: str) -> float:
        return await self.rerun([WidgetState(id=widget.id, string_value=option)], widget.fragment_id)


# ---------------------------------------------------------------- the two apps


@contextmanager
def baseline_server(folder: Path, *, app_settings: bool) -> Iterator[tuple[str, int]]:
    """The one-button app: with Streamlit's default settings, or with the app's own `.streamlit/config.toml`."""
    script = folder / "one_button.py"
    script.write_text(BASELINE_SCRIPT, encoding="utf-8")
    settings = folder / ".streamlit" / "config.toml"
    settings.parent.mkdir(exist_ok=True)
    settings.write_bytes((ROOT / ".streamlit" / "config.toml").read_bytes() if app_settings else b"")
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless=true",
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
    ]
    with (folder / "one_button.log").open("ab") as log:
        process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    try:
        server = AppServer(folder, port=port, process=process)
        server._wait_healthy()  # our own test helper, shared with the browser tests
        yield f"ws://127.0.0.1:{port}/_stcore/stream", process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def app_server(folder: Path) -> Iterator[tuple[str, int]]:
    server = AppServer(folder)
    server.start()
    try:
        assert server.process is not None
        yield f"ws://127.0.0.1:{server.port}/_stcore/stream", server.process.pid
    finally:
        server.stop()


def sign_in_cookie(folder: Path) -> str:
    """The remember-me cookie the app sets after a form sign-in, issued by the same core function."""
    config = accounts.read_config(folder / "auth.yaml")
    cookie = signin.cookie_settings(config)
    version = accounts.token_version(config["credentials"]["usernames"][TRAINEE])
    return f"{cookie.name}={signin.issue_token(cookie, TRAINEE, version, datetime.now(UTC))}"


class Attempts:
    """Fresh attempts for the simulated trainees, started through the core as the briefing's button does."""

    def __init__(self, folder: Path) -> None:
        self.db = storage.open_db(folder / "optrain.db")
        self.scenario = load_scenario_file(ROOT / "scenarios" / f"{SCENARIO}.yaml")
        self.operator = training.Operator(TRAINEE, "Casey Trainee", "trainee@hotrodan.example")

    def new(self) -> int:
        return training.start_attempt(self.db, self.scenario, self.operator, datetime.now(UTC)).id


# ---------------------------------------------------------------- trainees


@dataclass
class Clicks:
    send: list[float] = field(default_factory=list)
    choose: list[float] = field(default_factory=list)
    send_cpu: list[float] = field(default_factory=list)
    choose_cpu: list[float] = field(default_factory=list)
    other: int = 0

    def add(self, more: Clicks) -> None:
        self.send += more.send
        self.choose += more.choose
        self.send_cpu += more.send_cpu
        self.choose_cpu += more.choose_cpu
        self.other += more.other


async def app_trainee(
    url: str,
    cookie: str,
    attempts: Attempts,
    clicks: Clicks,
    until: float,
    pause: tuple[float, float] = (0.0, 0.0),
    pid: int | None = None,
    rng: random.Random | None = None,
) -> None:
    """Work shifts until `until`: choose a call, send it, next item; a new attempt when the queue is done."""
    rng = rng or random.Random(0)
    client = Client(url, cookie, "train", f"attempt={attempts.new()}")
    await client.connect()
    try:
        await client.rerun()
        while time.perf_counter() < until:
            if pause[1]:
                await asyncio.sleep(rng.uniform(*pause))
            call = client.find("call_")
            if call is None:
                if client.find("finish") is None and client.find("pick_") is None:
                    raise RuntimeError(f"the shift did not draw: {client.texts[:5]}")
                client.query = f"attempt={attempts.new()}"
                await client.rerun()
                clicks.other += 1
                continue
            option = next(o for o in call.proto.options if o not in TYPED_CALLS)
            before = cpu_seconds(pid) if pid else 0.0
            clicks.choose.append(await client.choose(call, option))
            if pid:
                clicks.choose_cpu.append(cpu_seconds(pid) - before)
            submit = client.find("submit_")
            if submit is None:
                raise RuntimeError(f"no send button after choosing {option!r}: {client.texts[-3:]}")
            chosen = WidgetState(id=call.id, string_value=option)
            if pause[1]:
                await asyncio.sleep(rng.uniform(*pause))
            before = cpu_seconds(pid) if pid else 0.0
            clicks.send.append(await client.click(submit, chosen))
            if pid:
                clicks.send_cpu.append(cpu_seconds(pid) - before)
    finally:
        await client.close()


async def baseline_trainee(
    url: str,
    clicks: Clicks,
    until: float,
    pause: tuple[float, float] = (0.0, 0.0),
    pid: int | None = None,
    rng: random.Random | None = None,
) -> None:
    rng = rng or random.Random(0)
    client = Client(url, "", "", "")
    await client.connect()
    try:
        await client.rerun()
        while time.perf_counter() < until:
            if pause[1]:
                await asyncio.sleep(rng.uniform(*pause))
            before = cpu_seconds(pid) if pid else 0.0
            clicks.send.append(await client.click(client.widgets["click"]))
            if pid:
                clicks.send_cpu.append(cpu_seconds(pid) - before)
    finally:
        await client.close()


def run_app(
    url: str,
    cookie: str,
    attempts: Attempts,
    trainees: int,
    seconds: float,
    pause: tuple[float, float],
    pid: int | None = None,
) -> Clicks:
    clicks = Clicks()
    until = time.perf_counter() + seconds

    async def all_of_them() -> None:
        await asyncio.gather(
            *(app_trainee(url, cookie, attempts, clicks, until, pause, pid, random.Random(n)) for n in range(trainees))
        )

    asyncio.run(all_of_them())
    return clicks


def run_baseline(url: str, trainees: int, seconds: float, pause: tuple[float, float], pid: int | None = None) -> Clicks:
    clicks = Clicks()
    until = time.perf_counter() + seconds

    async def all_of_them() -> None:
        await asyncio.gather(
            *(baseline_trainee(url, clicks, until, pause, pid, random.Random(n)) for n in range(trainees))
        )

    asyncio.run(all_of_them())
    return clicks


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else (values[0] if values else 0.0)


def mean_ms(values: list[float]) -> float:
    return 1000 * statistics.fmean(values) if values else 0.0


# ---------------------------------------------------------------- the benchmark


def run(ctx: Context) -> Outcome:
    folder = app_folder(ctx)
    cookie = sign_in_cookie(folder)
    attempts = Attempts(folder)
    alone_s = 12.0 if ctx.quick else 30.0
    crowd_s = 20.0 if ctx.quick else 40.0
    crowd_pause = (CLICK_EVERY_S * 0.4, CLICK_EVERY_S * 0.6)  # one click every 2-3 s: a decision every 5 s
    quiet = (0.05, 0.1)
    with (
        app_server(folder) as (app_url, app_pid),
        baseline_server(ctx.scratch("one_button"), app_settings=False) as (base_url, base_pid),
        baseline_server(ctx.scratch("one_button_app_settings"), app_settings=True) as (same_url, same_pid),
    ):
        # Warm every server up (imports, caches), then alternate, so a load spike hits all alike.
        run_app(app_url, cookie, attempts, 1, 5.0, (0, 0), app_pid)
        run_baseline(base_url, 1, 3.0, (0, 0), base_pid)
        run_baseline(same_url, 1, 3.0, (0, 0), same_pid)
        app_alone, base_alone, same_alone = Clicks(), Clicks(), Clicks()
        for _ in range(2):
            app_alone.add(run_app(app_url, cookie, attempts, 1, alone_s / 2, quiet, app_pid))
            base_alone.add(run_baseline(base_url, 1, alone_s / 2, quiet, base_pid))
            same_alone.add(run_baseline(same_url, 1, alone_s / 2, quiet, same_pid))
        app_crowd = run_app(app_url, cookie, attempts, 10, crowd_s, crowd_pause)
        base_crowd = run_baseline(base_url, 10, crowd_s, crowd_pause)
        capacity, steps = find_capacity(app_url, cookie, attempts, ctx.quick)

    send_cpu, choose_cpu = mean_ms(app_alone.send_cpu), mean_ms(app_alone.choose_cpu)
    base_cpu, same_cpu = mean_ms(base_alone.send_cpu), mean_ms(same_alone.send_cpu)
    ratio = send_cpu / base_cpu if base_cpu else float("inf")
    figures = (
        Figure(f"server CPU per send click, app ({len(app_alone.send_cpu)} clicks)", send_cpu, "ms"),
        Figure(f"server CPU per choose-call click, app ({len(app_alone.choose_cpu)} clicks)", choose_cpu, "ms"),
        Figure(f"server CPU per click, one-button app ({len(base_alone.send_cpu)} clicks)", base_cpu, "ms"),
        Figure("send CPU ratio app / one-button app", ratio, "x"),
        Figure("server CPU per click, one-button app with the app's settings", same_cpu, "ms"),
        Figure(
            "send CPU ratio app / one-button app with the app's settings",
            send_cpu / same_cpu if same_cpu else float("inf"),
            "x",
        ),
        Figure("click-to-feedback p50, 1 trainee, app", 1000 * statistics.median(app_alone.send), "ms"),
        Figure("click-to-feedback p95, 1 trainee, app", 1000 * p95(app_alone.send), "ms"),
        Figure("click-to-feedback p50, 1 trainee, one-button", 1000 * statistics.median(base_alone.send), "ms"),
        Figure("click-to-feedback p95, 1 trainee, one-button", 1000 * p95(base_alone.send), "ms"),
        Figure(
            f"click-to-feedback p50, 10 trainees, app ({len(app_crowd.send)} sends)",
            1000 * statistics.median(app_crowd.send),
            "ms",
        ),
        Figure("click-to-feedback p95, 10 trainees, app", 1000 * p95(app_crowd.send), "ms"),
        Figure(
            f"click-to-feedback p50, 10 trainees, one-button ({len(base_crowd.send)} clicks)",
            1000 * statistics.median(base_crowd.send),
            "ms",
        ),
        Figure("click-to-feedback p95, 10 trainees, one-button", 1000 * p95(base_crowd.send), "ms"),
        Figure("trainees served at a decision every 5 s with p95 < 500 ms (one process)", capacity, ""),
    )
    checks = (
        Check("server CPU per send click vs the one-button app", ratio, TARGET_RATIO, "x"),
        Check("p95 click-to-feedback with 10 trainees", p95(app_crowd.send), CAPACITY_P95_S, "s"),
        Check("trainees one server process serves (decision every 5 s, p95 < 500 ms)", capacity, 10, "", at_least=True),
    )
    notes = (
        "Capacity steps (trainees: p95 click-to-feedback): " + ", ".join(f"{n}: {1000 * p:.0f} ms" for n, p in steps),
    )
    return Outcome(NAME, TITLE, figures, checks, notes)


def find_capacity(url: str, cookie: str, attempts: Attempts, quick: bool) -> tuple[int, list[tuple[int, float]]]:
    """The most trainees (a decision every 5 s each) whose sends still get feedback within 500 ms at p95."""
    steps: list[tuple[int, float]] = []
    best = 0
    seconds = 12.0 if quick else 25.0
    pause = (CLICK_EVERY_S * 0.4, CLICK_EVERY_S * 0.6)
    for trainees in (10, 20, 40, 60, 80, 120, 160):
        clicks = run_app(url, cookie, attempts, trainees, seconds, pause)
        tail = p95(clicks.send)
        steps.append((trainees, tail))
        if tail >= CAPACITY_P95_S:
            break
        best = trainees
    return best, steps
