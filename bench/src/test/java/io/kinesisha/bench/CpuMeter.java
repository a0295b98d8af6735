package io.kinesisha.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * CPU seconds spent over a stretch of wall time: by this JVM (optionally less the threads a predicate names, such
 * as an in-process stand-in's), and by other processes (the emulators) by PID. Shows which process limits a run.
 */
final class CpuMeter {
    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Map<String, Long> pids;
    private final Predicate<String> excludedThreads;

    CpuMeter(Map<String, Long> pids, Predicate<String> excludedThreads) {
        this.pids = pids;
        this.excludedThreads = excludedThreads;
    }

    /** The threads alive now: what {@link #cpuOfThreadsStartedSince} leaves out. */
    static Set<Long> liveThreads() {
        Set<Long> ids = new HashSet<>();
        for (long id : THREADS.getAllThreadIds()) {
            ids.add(id);
        }
        return ids;
    }

    /** CPU seconds of the threads alive now that were not alive at {@code before} (a job's own threads). */
    static double cpuOfThreadsStartedSince(Set<Long> before) {
        long nanos = 0;
        for (long id : THREADS.getAllThreadIds()) {
            if (!before.contains(id)) {
                nanos += Math.max(0, THREADS.getThreadCpuTime(id));
            }
        }
        return nanos / 1e9;
    }

    Snapshot snapshot() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        pids.forEach((name, pid) -> cpu.put(name, ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration())
                .map(Duration::toNanos).orElse(0L)));
        long excluded = 0;
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null && excludedThreads.test(info.getThreadName())) {
                excluded += Math.max(0, THREADS.getThreadCpuTime(info.getThreadId()));
            }
        }
        return new Snapshot(System.nanoTime(), OS.getProcessCpuTime() - excluded, cpu);
    }

    /** CPU used between two snapshots. */
    static final class Snapshot {
        final long wallNanos;
        final long jvmNanos;
        final Map<String, Long> processNanos;

        Snapshot(long wallNanos, long jvmNanos, Map<String, Long> processNanos) {
            this.wallNanos = wallNanos;
            this.jvmNanos = jvmNanos;
            this.processNanos = processNanos;
        }

        double wallSeconds(Snapshot before) {
            return (wallNanos - before.wallNanos) / 1e9;
        }

        double jvmSeconds(Snapshot before) {
            return (jvmNanos - before.jvmNanos) / 1e9;
        }

        /** "jvm 12.3 s (41 %), us-west-2 20.1 s (67 %), ...": CPU seconds and share of one core over the wall time. */
        String describe(Snapshot before) {
            double wall = wallSeconds(before);
            StringBuilder out = new StringBuilder(String.format("JVM %.1f s (%.0f %%)", jvmSeconds(before), 100 * jvmSeconds(before) / wall));
            processNanos.forEach((name, nanos) -> {
                double s = (nanos - before.processNanos.getOrDefault(name, 0L)) / 1e9;
                out.append(String.format(", %s %.1f s (%.0f %%)", name, s, 100 * s / wall));
            });
            return out.toString();
        }
    }
}
