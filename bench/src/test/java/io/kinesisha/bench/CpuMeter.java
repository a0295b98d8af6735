package io.kinesisha.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * CPU seconds spent over a stretch of wall time: by this JVM (optionally less the threads a predicate names, such
 * as an in-process stand-in's), and by other processes (the emulators) by PID. Shows which process limits a run.
 */
final class CpuMeter {
    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** Bytes allocated per thread (HotSpot's ThreadMXBean): what the garbage collector will have to clear. */
    private static final com.sun.management.ThreadMXBean ALLOCATION = (com.sun.management.ThreadMXBean) THREADS;

    private final Map<String, Long> pids;
    private final Predicate<String> excludedThreads;

    CpuMeter(Map<String, Long> pids, Predicate<String> excludedThreads) {
        this.pids = pids;
        this.excludedThreads = excludedThreads;
    }

    Snapshot snapshot() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        pids.forEach((name, pid) -> cpu.put(
                name,
                ProcessHandle.of(pid)
                        .flatMap(p -> p.info().totalCpuDuration())
                        .map(Duration::toNanos)
                        .orElse(0L)));
        long excluded = 0;
        Map<Long, Long> threads = new HashMap<>();
        Map<Long, Long> allocated = new HashMap<>();
        long[] ids = THREADS.getAllThreadIds();
        long[] bytes = ALLOCATION.getThreadAllocatedBytes(ids);
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < infos.length; i++) {
            ThreadInfo info = infos[i];
            if (info == null) {
                continue;
            }
            long nanos = Math.max(0, THREADS.getThreadCpuTime(info.getThreadId()));
            if (excludedThreads.test(info.getThreadName())) {
                excluded += nanos;
            } else {
                threads.put(info.getThreadId(), nanos);
                allocated.put(info.getThreadId(), Math.max(0, bytes[i]));
            }
        }
        long gcMillis = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(gc -> Math.max(0, gc.getCollectionTime()))
                .sum();
        Snapshot snapshot =
                new Snapshot(System.nanoTime(), OS.getProcessCpuTime() - excluded, cpu, threads, vmThreadNanos());
        snapshot.allocatedBytes = allocated;
        snapshot.gcMillis = gcMillis;
        return snapshot;
    }

    /**
     * CPU of the JVM's own native threads by kind (GC, JIT), read from /proc/self/task (Linux; empty elsewhere):
     * ThreadMXBean does not see them.
     */
    private static Map<String, Long> vmThreadNanos() {
        Map<String, Long> byKind = new HashMap<>();
        File[] tasks = new File("/proc/self/task").listFiles();
        if (tasks == null) {
            return byKind;
        }
        for (File task : tasks) {
            try {
                String name = Files.readString(task.toPath().resolve("comm")).trim();
                String kind = name.startsWith("GC Thread") || name.startsWith("G1 ")
                        ? "GC"
                        : name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre") ? "JIT" : null;
                if (kind == null) {
                    continue;
                }
                String stat = Files.readString(task.toPath().resolve("stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                byKind.merge(kind, ticks * 10_000_000L, Long::sum); // USER_HZ = 100
            } catch (IOException | RuntimeException threadGone) {
                // the thread ended between the listing and the read
            }
        }
        return byKind;
    }

    /** CPU used between two snapshots. */
    static final class Snapshot {
        final long wallNanos;
        final long jvmNanos;
        final Map<String, Long> processNanos;
        /** CPU so far of each live thread that is not left out, by thread id. */
        final Map<Long, Long> threadNanos;

        /** CPU so far of the JVM's GC and JIT threads. */
        final Map<String, Long> vmNanos;
        /** Bytes allocated so far by each live thread that is not left out, by thread id. */
        Map<Long, Long> allocatedBytes = Map.of();
        /** Time the collectors report having spent in collections (pauses and concurrent phases) so far. */
        long gcMillis;

        /**
         * Bytes allocated between the snapshots by the threads alive at the later one (a thread that ended in between
         * is missed: a slight undercount).
         */
        long allocatedSince(Snapshot before) {
            return allocatedBytes.entrySet().stream()
                    .mapToLong(e -> e.getValue() - before.allocatedBytes.getOrDefault(e.getKey(), 0L))
                    .sum();
        }

        Snapshot(
                long wallNanos,
                long jvmNanos,
                Map<String, Long> processNanos,
                Map<Long, Long> threadNanos,
                Map<String, Long> vmNanos) {
            this.vmNanos = vmNanos;
            this.wallNanos = wallNanos;
            this.jvmNanos = jvmNanos;
            this.processNanos = processNanos;
            this.threadNanos = threadNanos;
        }

        /** CPU of the threads started since {@code before} (a job's own: tasks, fetchers, SDK event loops, timers). */
        double newThreadSeconds(Snapshot before) {
            return threadNanos.entrySet().stream()
                            .filter(e -> !before.threadNanos.containsKey(e.getKey()))
                            .mapToLong(Map.Entry::getValue)
                            .sum()
                    / 1e9;
        }

        /** CPU of the JVM's GC ("GC") or JIT ("JIT") threads between the snapshots. */
        double vmSeconds(Snapshot before, String kind) {
            return (vmNanos.getOrDefault(kind, 0L) - before.vmNanos.getOrDefault(kind, 0L)) / 1e9;
        }

        /** CPU of the threads alive at both snapshots (the Flink runtime's, the SDK's shared ones). */
        double oldThreadSeconds(Snapshot before) {
            return threadNanos.entrySet().stream()
                            .filter(e -> before.threadNanos.containsKey(e.getKey()))
                            .mapToLong(e -> e.getValue() - before.threadNanos.get(e.getKey()))
                            .sum()
                    / 1e9;
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
            StringBuilder out = new StringBuilder(
                    String.format("JVM %.1f s (%.0f %%)", jvmSeconds(before), 100 * jvmSeconds(before) / wall));
            processNanos.forEach((name, nanos) -> {
                double s = (nanos - before.processNanos.getOrDefault(name, 0L)) / 1e9;
                out.append(String.format(", %s %.1f s (%.0f %%)", name, s, 100 * s / wall));
            });
            return out.toString();
        }
    }
}
