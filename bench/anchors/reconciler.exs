# The BEAM anchor for setpoint's bench suite: what the same workload costs as GenServers.
#
# Each resource is a GenServer under a DynamicSupervisor. It holds its desired map, ticks with
# Process.send_after (±10 % jitter), reads the current map from an ETS table (the "observe")
# and compares the two. Measured, on one node:
#
#   heap    :erlang.memory(:processes_used) per idle process, 100k, with and without :hibernate
#   ticks   CPU per tick and ticks/s sustained at 100k, 1 s interval (statistics(:runtime))
#   restart a child killed with Process.exit(pid, :kill), until its replacement's init ran:
#           a batch of 1,000 (wall time per restart) and one at a time (p50, p99)
#   start   100k DynamicSupervisor.start_child calls, per child
#   stop    Erlang's :supervisor (simple_one_for_one) with 100k children, and Elixir's
#           DynamicSupervisor with --dyn-stop-count children (10k by default: it is quadratic)
#
#   elixir --erl "+P 2000000 +sbwt none +sbwtdcpu none +sbwtdio none" bench/anchors/reconciler.exs \
#     [--count 100000] [--seconds 10] [--interval 1000] [--crashes 1000] [--dyn-stop-count 10000] [--json]
#
# Scheduler busy-waiting is turned off (+sbwt none ...) so that OS CPU time counts work done,
# not spinning. Output: one JSON object (--json) or a few lines of text.

defmodule Reconciler.Worker do
  @moduledoc "One resource: desired map in state, a tick that observes and compares."
  use GenServer, restart: :permanent

  # cfg: {table, counter, interval_ms, hibernate?}
  def start_link({cfg, name, desired}), do: start_link(cfg, {name, desired})
  def start_link(cfg, {name, desired}), do: GenServer.start_link(__MODULE__, {cfg, name, desired})

  @impl true
  def init({{_table, _counter, interval, hibernate} = cfg, name, desired}) do
    Process.send_after(self(), :tick, :erlang.phash2(make_ref(), interval))

    case :persistent_term.get(:reconciler_notify, nil) do
      nil -> :ok
      pid -> send(pid, :started)
    end

    state = {cfg, name, desired, false}
    if hibernate, do: {:ok, state, :hibernate}, else: {:ok, state}
  end

  @impl true
  def handle_info(:tick, {{table, counter, interval, hibernate} = cfg, name, desired, _}) do
    current =
      case :ets.lookup(table, name) do
        [{_, c}] -> c
        [] -> nil
      end

    in_sync = current == desired
    :counters.add(counter, 1, 1)
    jitter = 9000 + :erlang.phash2(:erlang.monotonic_time(), 2001)
    Process.send_after(self(), :tick, div(interval * jitter, 10000))
    state = {cfg, name, desired, in_sync}
    if hibernate, do: {:noreply, state, :hibernate}, else: {:noreply, state}
  end
end

defmodule Reconciler.Classic do
  @moduledoc "Erlang's simple_one_for_one supervisor, for the stop comparison."
  @behaviour :supervisor

  @impl true
  def init(cfg) do
    {:ok,
     {%{strategy: :simple_one_for_one, intensity: 1_000_000_000, period: 1},
      [%{id: :worker, start: {Reconciler.Worker, :start_link, [cfg]}, restart: :permanent, shutdown: 5000}]}}
  end
end

defmodule Reconciler.Bench do
  @moduledoc false

  def now_us, do: :erlang.monotonic_time(:microsecond)

  def desired(i),
    do: %{replicas: rem(i, 5) + 1, image: "registry/app:#{rem(i, 17)}", env: %{"A" => "a", "B" => Integer.to_string(i)}}

  def name(i), do: "app-#{i}"

  def table(n) do
    t = :ets.new(:current, [:set, :public, read_concurrency: true])
    for i <- 0..(n - 1), do: :ets.insert(t, {name(i), desired(i)})
    t
  end

  def dyn_sup do
    {:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one, max_restarts: 1_000_000_000, max_seconds: 1)
    Process.unlink(sup)
    sup
  end

  def start_all(sup, cfg, n) do
    t0 = now_us()
    for i <- 0..(n - 1), do: {:ok, _} = DynamicSupervisor.start_child(sup, {Reconciler.Worker, {cfg, name(i), desired(i)}})
    (now_us() - t0) / n
  end

  # Kill a supervisor and its children (linked, not trapping exits), and wait for them to go.
  def kill(sup, baseline) do
    ref = Process.monitor(sup)
    Process.exit(sup, :kill)
    receive do: ({:DOWN, ^ref, _, _, _} -> :ok)
    wait_until(fn -> length(Process.list()) <= baseline + 5 end)
    :erlang.garbage_collect()
  end

  def wait_until(f) do
    if f.(), do: :ok, else: (Process.sleep(50); wait_until(f))
  end

  # Memory used by processes, after collecting the two whose heaps swing widely: the
  # supervisor (its map of 100k children) and this one. Workers stay as they are. The median
  # of three samples 200 ms apart, so one moment of many processes awake does not count.
  def proc_mem(sup \\ nil) do
    samples =
      for _ <- 1..3 do
        Process.sleep(200)
        if sup, do: :erlang.garbage_collect(sup)
        :erlang.garbage_collect()
        :erlang.memory(:processes_used)
      end

    samples |> Enum.sort() |> Enum.at(1)
  end

  def ticks(counter, n, interval, seconds) do
    Process.sleep(min(3000, interval * 2))
    c0 = :counters.get(counter, 1)
    {r0, _} = :erlang.statistics(:runtime)
    t0 = now_us()
    Process.sleep(seconds * 1000)
    {r1, _} = :erlang.statistics(:runtime)
    wall_s = (now_us() - t0) / 1.0e6
    counted = :counters.get(counter, 1) - c0
    expected = n / (interval / 1000)
    per_sec = counted / wall_s

    %{
      ticksPerSec: per_sec,
      cpuUsPerTick: (r1 - r0) * 1000 / max(counted, 1),
      expectedPerSec: expected,
      keepUp: per_sec / expected
    }
  end

  def percentile(sorted, p) do
    len = length(sorted)
    Enum.at(sorted, min(len - 1, max(0, ceil(p * len) - 1)))
  end

  def await_started(0), do: :ok

  def await_started(k) do
    receive do
      :started -> await_started(k - 1)
    after
      10_000 -> raise "a restarted child did not start within 10 s"
    end
  end

  def run(opts) do
    n = opts.count
    interval = opts.interval
    baseline = length(Process.list())
    table = table(n)
    IO.puts(:stderr, "  · beam: #{n} processes, #{interval} ms interval")

    # ── heap and ticks, without hibernation ──────────────────────────────────────────────
    counter = :counters.new(1, [:write_concurrency])
    m0 = proc_mem()
    sup = dyn_sup()
    start_ticking = start_all(sup, {table, counter, interval, false}, n)
    Process.sleep(round(interval * 1.5))
    bytes = (proc_mem(sup) - m0) / n
    IO.puts(:stderr, "  · beam: #{round(bytes)} B/process; counting ticks for #{opts.seconds} s")
    tick = ticks(counter, n, interval, opts.seconds)
    kill(sup, baseline)

    # ── heap and ticks, hibernating between ticks ────────────────────────────────────────
    counter = :counters.new(1, [:write_concurrency])
    m0 = proc_mem()
    sup = dyn_sup()
    start_all(sup, {table, counter, interval, true}, n)
    Process.sleep(round(interval * 1.5))
    bytes_hib = (proc_mem(sup) - m0) / n
    IO.puts(:stderr, "  · beam: hibernated #{round(bytes_hib)} B/process")
    tick_hib = ticks(counter, n, interval, max(2, div(opts.seconds, 2)))
    kill(sup, baseline)

    # ── start and restarts, idle (30 s interval) ─────────────────────────────────────────
    counter = :counters.new(1, [:write_concurrency])
    sup = dyn_sup()
    start_us = start_all(sup, {table, counter, 30_000, false}, n)
    pids = sup |> DynamicSupervisor.which_children() |> Enum.map(fn {_, pid, _, _} -> pid end) |> List.to_tuple()
    :persistent_term.put(:reconciler_notify, self())
    crashes = min(opts.crashes, div(n, 4))
    step = div(n, crashes)

    single =
      for k <- 0..(crashes - 1) do
        pid = elem(pids, k * step)
        t0 = now_us()
        Process.exit(pid, :kill)
        await_started(1)
        now_us() - t0
      end
      |> Enum.sort()

    t0 = now_us()
    for k <- 0..(crashes - 1), do: Process.exit(elem(pids, k * step + 1), :kill)
    await_started(crashes)
    batch_us = (now_us() - t0) / crashes
    :persistent_term.erase(:reconciler_notify)
    IO.puts(:stderr, "  · beam: restart batch #{Float.round(batch_us, 1)} µs, single p50 #{percentile(single, 0.5)} µs")
    kill(sup, baseline)

    # ── stop: Erlang's simple_one_for_one with n children ────────────────────────────────
    {:ok, classic} = :supervisor.start_link(Reconciler.Classic, {table, counter, 30_000, false})
    Process.unlink(classic)
    for i <- 0..(n - 1), do: {:ok, _} = :supervisor.start_child(classic, [{name(i), desired(i)}])
    t0 = now_us()
    :ok = Supervisor.stop(classic)
    classic_stop_ms = (now_us() - t0) / 1000
    wait_until(fn -> length(Process.list()) <= baseline + 5 end)

    # ── stop: Elixir's DynamicSupervisor with dyn_stop_count children ────────────────────
    m = opts.dyn_stop_count
    sup = dyn_sup()
    start_all(sup, {table, counter, 30_000, false}, m)
    t0 = now_us()
    :ok = DynamicSupervisor.stop(sup)
    dyn_stop_ms = (now_us() - t0) / 1000
    IO.puts(:stderr, "  · beam: stop #{n} (simple_one_for_one) #{round(classic_stop_ms)} ms; #{m} (DynamicSupervisor) #{round(dyn_stop_ms)} ms")

    %{
      bench: "beam",
      otp: System.otp_release(),
      elixir: System.version(),
      schedulers: :erlang.system_info(:schedulers_online),
      count: n,
      intervalMs: interval,
      seconds: opts.seconds,
      bytesPerProcess: bytes,
      bytesPerProcessHibernated: bytes_hib,
      desiredMapBytes: :erts_debug.flat_size(desired(n - 1)) * :erlang.system_info(:wordsize),
      startUsTicking: start_ticking,
      ticks: tick,
      ticksHibernated: tick_hib,
      startUs: start_us,
      restartBatchUs: batch_us,
      restartSingleP50Us: percentile(single, 0.5),
      restartSingleP99Us: percentile(single, 0.99),
      crashes: crashes,
      stopMs: classic_stop_ms,
      dynStopCount: m,
      dynStopMs: dyn_stop_ms
    }
  end
end

defmodule Reconciler.Json do
  @moduledoc "Just enough JSON for the report: maps, strings, numbers, booleans."
  def encode(m) when is_map(m),
    do: "{" <> Enum.map_join(m, ",", fn {k, v} -> encode(to_string(k)) <> ":" <> encode(v) end) <> "}"

  def encode(s) when is_binary(s), do: inspect(s)
  def encode(b) when is_boolean(b), do: to_string(b)
  def encode(x) when is_integer(x), do: Integer.to_string(x)
  def encode(x) when is_float(x), do: :erlang.float_to_binary(x, [:short])
  def encode(x) when is_atom(x), do: encode(Atom.to_string(x))
end

{parsed, _, _} =
  OptionParser.parse(System.argv(),
    strict: [count: :integer, seconds: :integer, interval: :integer, crashes: :integer, dyn_stop_count: :integer, json: :boolean]
  )

opts = %{
  count: Keyword.get(parsed, :count, 100_000),
  seconds: Keyword.get(parsed, :seconds, 10),
  interval: Keyword.get(parsed, :interval, 1000),
  crashes: Keyword.get(parsed, :crashes, 1000),
  dyn_stop_count: Keyword.get(parsed, :dyn_stop_count, 10_000)
}

result = Reconciler.Bench.run(opts)

if Keyword.get(parsed, :json, false) do
  IO.puts(Reconciler.Json.encode(result))
else
  f = fn x -> :erlang.float_to_binary(x / 1, decimals: 2) end
  t = result.ticks

  IO.puts("""
  BEAM (OTP #{result.otp}, Elixir #{result.elixir}, #{result.schedulers} schedulers): #{result.count} GenServers, #{result.intervalMs} ms interval
    heap      #{round(result.bytesPerProcess)} B/process, hibernated #{round(result.bytesPerProcessHibernated)} B (the desired map alone: #{result.desiredMapBytes} B)
    ticks     #{round(t.ticksPerSec)}/s of #{round(t.expectedPerSec)}, #{f.(t.cpuUsPerTick)} µs CPU/tick (hibernating: #{f.(result.ticksHibernated.cpuUsPerTick)} µs)
    start     #{f.(result.startUs)} µs/child
    restart   batch of #{result.crashes}: #{f.(result.restartBatchUs)} µs each; single p50 #{result.restartSingleP50Us} µs, p99 #{result.restartSingleP99Us} µs
    stop      #{result.count} under simple_one_for_one #{f.(result.stopMs)} ms; #{result.dynStopCount} under DynamicSupervisor #{f.(result.dynStopMs)} ms
  """)
end
