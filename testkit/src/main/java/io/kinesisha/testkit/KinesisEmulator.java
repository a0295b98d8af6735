package io.kinesisha.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One kinesis-local (kinesis-mock) process: the Kinesis service of one emulated region. Data is persisted to
 * its data folder so a stop (SIGTERM) and start keep streams, records, sequence numbers and consumers, as a
 * real region outage and recovery would. Each start takes fresh free ports; clients reach it through the
 * region's {@link FaultProxy}, whose port never changes.
 */
final class KinesisEmulator {
    private static final Logger LOG = LoggerFactory.getLogger(KinesisEmulator.class);
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** kinesis-local persists before it exits; an outage simulation waits for that, however long it takes. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private static final String PERSIST_INTERVAL = "300s";

    private final Path packageDir;
    private final String region;
    private final String accountId;
    private final Path dataDir;
    private final Path logFile;
    private final boolean persist;
    private Process process;
    private int plainPort;
    private Duration lastStartTime = Duration.ZERO;

    KinesisEmulator(Path packageDir, String region, String accountId, Path dataDir, Path logFile, boolean persist) {
        this.persist = persist;
        this.packageDir = packageDir;
        this.region = region;
        this.accountId = accountId;
        this.dataDir = dataDir;
        this.logFile = logFile;
    }

    synchronized void start() {
        for (int attempt = 1; ; attempt++) {
            try {
                startOnce();
                return;
            } catch (IllegalStateException e) {
                // a port probed free was taken by another process before node bound it: new ports, once more
                boolean portTaken = String.valueOf(e.getMessage()).contains("EADDRINUSE");
                if (!portTaken || attempt >= 3) {
                    throw e;
                }
                LOG.warn("kinesis-local for {} lost its port to another process; retrying with new ports", region);
            }
        }
    }

    private void startOnce() {
        if (isRunning()) {
            return;
        }
        plainPort = FreePorts.next();
        int tlsPort = FreePorts.next();
        try {
            Files.createDirectories(dataDir);
            Files.createDirectories(logFile.getParent());
            ProcessBuilder builder = new ProcessBuilder(List.of(EmulatorInstall.node(), "main.js"))
                    .directory(packageDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            Map<String, String> env = builder.environment();
            env.put("KINESIS_MOCK_PLAIN_PORT", Integer.toString(plainPort));
            env.put("KINESIS_MOCK_TLS_PORT", Integer.toString(tlsPort));
            env.put("AWS_REGION", region);
            env.put("AWS_ACCOUNT_ID", accountId);
            env.put("SHOULD_PERSIST_DATA", Boolean.toString(persist));
            env.put("LOAD_DATA_IF_EXISTS", "true");
            env.put("PERSIST_PATH", dataDir.toAbsolutePath().toString());
            // it persists at exit (SIGTERM), which is what an outage needs; a periodic persist rewrites every record
            // held and kept an idle emulator at half a core, so it is rare (crash insurance only)
            env.put("PERSIST_INTERVAL", PERSIST_INTERVAL);
            env.putIfAbsent("LOG_LEVEL", "WARN");
            // streams turn ACTIVE after 500 ms by default; the suites create hundreds, and nothing here depends on
            // the CREATING state lasting (consumer and reshard transitions keep their default)
            env.putIfAbsent("CREATE_STREAM_DURATION", "100ms");
            long started = System.nanoTime();
            process = builder.start();
            ProcessReaper.track(process);
            Process launched = process;
            Waits.until(
                    () -> {
                        if (!launched.isAlive()) {
                            throw new IllegalStateException("kinesis-local for " + region + " exited with code "
                                    + launched.exitValue() + " during start; log " + logFile + ":\n" + logTail());
                        }
                        return accepts(plainPort);
                    },
                    START_TIMEOUT,
                    () -> "kinesis-local for " + region + " on port " + plainPort + " (log " + logFile + ")");
            lastStartTime = Duration.ofNanos(System.nanoTime() - started);
            LOG.info(
                    "kinesis-local {} (account {}) up on 127.0.0.1:{} in {} ms, pid {}",
                    region,
                    accountId,
                    plainPort,
                    lastStartTime.toMillis(),
                    process.pid());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start kinesis-local for " + region, e);
        }
    }

    /** SIGTERM and wait for the exit, so everything it acknowledged is persisted. */
    synchronized void stop() {
        stop(STOP_TIMEOUT);
    }

    synchronized boolean stop(Duration grace) {
        if (process == null) {
            return true;
        }
        boolean clean = ProcessReaper.terminate(process, grace);
        LOG.info(
                "kinesis-local {} stopped ({})",
                region,
                clean ? "clean exit" : "forced after " + grace.toMillis() + " ms");
        process = null;
        return clean;
    }

    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    synchronized int port() {
        return plainPort;
    }

    synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    Duration lastStartTime() {
        return lastStartTime;
    }

    Path logFile() {
        return logFile;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }
}
