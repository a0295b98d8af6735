package io.kinesisha.testkit;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Several emulated AWS regions on this machine plus the control store they share: what every test, the CLI
 * ({@code kinesis-ha local up}) and the demo run against. Real processes on free ports, stopped by PID on
 * {@link #close()} and on JVM exit.
 */
public final class LocalEnvironment implements AutoCloseable {
    public static final String DEFAULT_PRIMARY = "us-west-2";
    public static final String DEFAULT_SECONDARY = "us-east-2";
    public static final String DEFAULT_ACCOUNT = "111111111111";
    /**
     * How long teardown waits after SIGTERM before forcing, when the data is kept ({@code local up}): kinesis-local
     * persists as it exits. Outage simulations always wait in full.
     */
    static final Duration KEEP_DATA_GRACE = Duration.ofSeconds(10);
    /**
     * The same for an environment whose data nobody reads again (tests, demo, drill). kinesis-local sometimes ignores
     * SIGTERM at teardown (an HTTP/2 connection it never closes holds its server's shutdown); it has then persisted
     * nothing, and waiting longer only delays whoever waits for the teardown.
     */
    static final Duration DISPOSE_GRACE = Duration.ofSeconds(3);

    private final Map<String, LocalRegion> regions;
    private final ControlStoreServer controlStore;
    private final AwsClientFactory clients;
    private final Path workDir;
    private final Duration teardownGrace;

    private LocalEnvironment(
            Map<String, LocalRegion> regions,
            ControlStoreServer controlStore,
            AwsClientFactory clients,
            Path workDir,
            Duration teardownGrace) {
        this.regions = regions;
        this.controlStore = controlStore;
        this.clients = clients;
        this.workDir = workDir;
        this.teardownGrace = teardownGrace;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Two regions, {@value #DEFAULT_PRIMARY} (primary) and {@value #DEFAULT_SECONDARY}, under target/. */
    public static LocalEnvironment startDefault() {
        return builder().start();
    }

    public List<LocalRegion> regions() {
        return Collections.unmodifiableList(new ArrayList<>(regions.values()));
    }

    public LocalRegion region(String name) {
        LocalRegion region = regions.get(name);
        if (region == null) {
            throw new IllegalArgumentException("no local region '" + name + "'; regions: " + regions.keySet());
        }
        return region;
    }

    /** The first region given to the builder. */
    public LocalRegion primary() {
        return regions.values().iterator().next();
    }

    /** The second region given to the builder. */
    public LocalRegion secondary() {
        return regions().get(1);
    }

    public URI controlStoreEndpoint() {
        return controlStore.endpoint();
    }

    /** The control store as seen from {@code region} (one shared database: a global table). */
    public AwsTarget controlStoreTarget(String region) {
        return AwsTarget.local(region, controlStore.endpoint(), DEFAULT_ACCOUNT, "local-secret");
    }

    public AwsClientFactory clients() {
        return clients;
    }

    public Path workDir() {
        return workDir;
    }

    @Override
    public void close() {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (LocalRegion region : regions.values()) {
            stops.add(CompletableFuture.runAsync(() -> region.close(teardownGrace)));
        }
        stops.forEach(CompletableFuture::join);
        controlStore.close();
        clients.close();
    }

    /** Names the regions, the account and where data and logs go. */
    public static final class Builder {
        private final List<String> regionNames = new ArrayList<>();
        private String accountId = DEFAULT_ACCOUNT;
        private Path workDir;
        private boolean persist = true;
        private boolean keepDataOnClose;
        /** Patient: a loaded emulator can take seconds per PutRecords; outage tests build impatient clients. */
        private ClientTuning tuning = new ClientTuning(Duration.ofSeconds(120), Duration.ofSeconds(30), 3);

        public Builder region(String name) {
            if (regionNames.contains(name)) {
                throw new IllegalArgumentException("region '" + name + "' given twice");
            }
            regionNames.add(name);
            return this;
        }

        public Builder accountId(String id) {
            this.accountId = id;
            return this;
        }

        /** Data and logs go here (default: target/local-env/&lt;timestamp&gt; under the working directory). */
        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        /**
         * Whether the emulators persist their data (default: yes, so a stop and start is a region outage and
         * recovery). A soak that holds millions of records turns it off: each periodic persist rewrites every record
         * and stalls the emulator, which would be measured as replication lag.
         */
        public Builder persist(boolean persistData) {
            this.persist = persistData;
            return this;
        }

        /**
         * Whether the data is read again after {@link #close()} (default: no). {@code local up} keeps it, so its
         * teardown gives each emulator {@link #KEEP_DATA_GRACE} to persist; tests, the demo and drills do not wait
         * that long for an emulator that ignores SIGTERM.
         */
        public Builder keepDataOnClose(boolean keep) {
            this.keepDataOnClose = keep;
            return this;
        }

        public Builder clientTuning(ClientTuning clientTuning) {
            this.tuning = clientTuning;
            return this;
        }

        /** Starts every region's emulator (in parallel) and the control store; all or nothing. */
        public LocalEnvironment start() {
            List<String> names = new ArrayList<>(regionNames);
            if (names.isEmpty()) {
                names.add(DEFAULT_PRIMARY);
                names.add(DEFAULT_SECONDARY);
            }
            Path dir = workDir != null ? workDir : defaultWorkDir();
            Path pkg = EmulatorInstall.kinesisLocalPackage();
            AwsClientFactory clients = new AwsClientFactory(tuning);
            Map<String, LocalRegion> regions = new LinkedHashMap<>();
            for (String name : names) {
                KinesisEmulator emulator = new KinesisEmulator(
                        pkg,
                        name,
                        accountId,
                        dir.resolve("data").resolve(name),
                        dir.resolve("logs").resolve("kinesis-" + name + ".log"),
                        persist);
                regions.put(name, new LocalRegion(name, accountId, emulator, clients));
            }
            ControlStoreServer controlStore = null;
            try {
                List<CompletableFuture<Void>> starts = new ArrayList<>();
                for (LocalRegion region : regions.values()) {
                    starts.add(CompletableFuture.runAsync(region::start));
                }
                controlStore = new ControlStoreServer();
                for (CompletableFuture<Void> start : starts) {
                    start.join();
                }
                return new LocalEnvironment(
                        regions, controlStore, clients, dir, keepDataOnClose ? KEEP_DATA_GRACE : DISPOSE_GRACE);
            } catch (RuntimeException e) {
                regions.values().forEach(r -> r.close(DISPOSE_GRACE));
                if (controlStore != null) {
                    controlStore.close();
                }
                clients.close();
                throw e instanceof CompletionException && e.getCause() instanceof RuntimeException
                        ? (RuntimeException) e.getCause()
                        : e;
            }
        }

        private static Path defaultWorkDir() {
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
            Path dir = Paths.get("target", "local-env", stamp).toAbsolutePath();
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return dir;
        }
    }
}
