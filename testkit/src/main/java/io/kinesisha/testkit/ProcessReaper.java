package io.kinesisha.testkit;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers every child process the local environment started and stops them, by PID, when the JVM exits,
 * so a test run or a {@code local up} that ends abruptly (Ctrl-C, a failed assertion) leaves nothing behind.
 */
final class ProcessReaper {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessReaper.class);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ProcessReaper::stopAll, "kinesis-ha-process-reaper"));
    }

    private ProcessReaper() {}

    static void track(Process process) {
        LIVE.add(process);
    }

    static void untrack(Process process) {
        LIVE.remove(process);
    }

    /**
     * SIGTERM, then wait up to {@code grace} for the exit; a process still alive after that is force-stopped
     * and the return value says so. Returns true for a clean exit.
     */
    static boolean terminate(Process process, Duration grace) {
        if (!process.isAlive()) {
            untrack(process);
            return true;
        }
        process.destroy();
        try {
            boolean exited = process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                LOG.warn(
                        "process {} did not exit {} ms after SIGTERM; force-stopping it",
                        process.pid(),
                        grace.toMillis());
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            return exited;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return false;
        } finally {
            untrack(process);
        }
    }

    private static void stopAll() {
        for (Process process : LIVE) {
            process.destroy();
        }
        for (Process process : LIVE) {
            terminate(process, Duration.ofSeconds(10));
        }
    }
}
