package io.kinesisha.replicator.it;

import static org.awaitility.Awaitility.await;

import io.kinesisha.replicator.cluster.FlinkSessionCluster;
import io.kinesisha.testkit.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Flink session cluster of separate JVMs on this machine, as a user runs one: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}), started from Flink's own
 * jars only (the replicator's 'provided' closure, written by the build), so the job's classes come from the
 * submitted jar. Ports are free ones, checkpoints and logs go under {@code dir}; every process is stopped by its
 * PID on {@link #close()} (SIGTERM, then forcibly after a grace period) or when the JVM exits.
 */
public final class LocalFlinkCluster implements AutoCloseable {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(new ArrayList<>(LIVE), 5), "flink-cluster-reaper"));
    }

    private final Path dir;
    private final Path confDir;
    private final Path logDir;
    private final String classpath;
    private final int restPort;
    private final Map<String, Process> taskManagers = new LinkedHashMap<>();
    private Process jobManager;

    private LocalFlinkCluster(Path dir, int slotsPerTaskManager) {
        this.dir = dir;
        this.confDir = dir.resolve("conf");
        this.logDir = dir.resolve("log");
        this.classpath = flinkClasspath();
        this.restPort = FreePorts.next();
        try {
            Files.createDirectories(confDir);
            Files.createDirectories(logDir);
            Files.writeString(confDir.resolve("config.yaml"), config(slotsPerTaskManager));
            Files.writeString(confDir.resolve("log4j.properties"), LOG4J);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the JobManager and {@code taskManagers} TaskManagers and waits until all have registered. */
    public static LocalFlinkCluster start(Path dir, int taskManagers, int slotsPerTaskManager) {
        LocalFlinkCluster cluster = new LocalFlinkCluster(dir.toAbsolutePath(), slotsPerTaskManager);
        try {
            cluster.jobManager = cluster.launch(
                    "jobmanager",
                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                    List.of("-Xmx384m", "-XX:MaxMetaspaceSize=256m"),
                    List.of());
            for (int i = 1; i <= taskManagers; i++) {
                cluster.startTaskManager("tm-" + i);
            }
            cluster.awaitTaskManagers(taskManagers);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Starts a TaskManager whose resource id (as the REST API reports it) is {@code name}. */
    public void startTaskManager(String name) {
        taskManagers.put(
                name,
                launch(
                        name,
                        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                        List.of("-Xmx256m", "-Xms256m", "-XX:MaxMetaspaceSize=192m"),
                        List.of("-Dtaskmanager.resource-id=" + name)));
    }

    /** SIGKILL, as when a machine dies: nothing of the TaskManager gets to clean up. */
    public void kill(String taskManager) throws InterruptedException {
        Process process = taskManagers.get(taskManager);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        LIVE.remove(process);
    }

    public String restUrl() {
        return "http://localhost:" + restPort;
    }

    public Path checkpoints() {
        return dir.resolve("checkpoints");
    }

    public Path savepoints() {
        return dir.resolve("savepoints");
    }

    public void awaitTaskManagers(int count) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> {
                    assertAlive();
                    try (FlinkSessionCluster cluster = FlinkSessionCluster.connect(restUrl(), Duration.ofSeconds(5))) {
                        return cluster.overview().getNumTaskManagersConnected() == count;
                    }
                });
    }

    private void assertAlive() {
        if (!jobManager.isAlive()) {
            throw new IllegalStateException("the JobManager exited (" + jobManager.exitValue() + "); see " + logDir);
        }
    }

    private Process launch(String name, String mainClass, List<String> jvmOptions, List<String> dynamicProperties) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dlog.file=" + logDir.resolve(name + ".log"));
        command.add("-Dlog4j.configurationFile="
                + confDir.resolve("log4j.properties").toUri());
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.add("--configDir");
        command.add(confDir.toString());
        command.addAll(dynamicProperties);
        try {
            Process process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(logDir.resolve(name + ".out").toFile())
                    .start();
            LIVE.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the " + name, e);
        }
    }

    private String config(int slots) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "localhost");
        c.put("jobmanager.rpc.port", FreePorts.next());
        c.put("jobmanager.bind-host", "localhost");
        c.put("rest.address", "localhost");
        c.put("rest.bind-address", "localhost");
        c.put("rest.port", restPort);
        c.put("blob.server.port", FreePorts.next());
        c.put("taskmanager.host", "localhost");
        c.put("taskmanager.bind-host", "localhost");
        c.put("taskmanager.numberOfTaskSlots", slots);
        // one subtask per TaskManager, so killing one loses part of the job, and the spare slots take it over
        c.put("cluster.evenly-spread-out-slots", true);
        c.put("jobmanager.execution.failover-strategy", "region");
        c.put("restart-strategy.type", "fixed-delay");
        c.put("restart-strategy.fixed-delay.attempts", 30);
        c.put("restart-strategy.fixed-delay.delay", "1 s");
        // a killed TaskManager is noticed when two heartbeat RPCs in a row fail (about 2 s), not after the default
        // 50 s timeout; the timeout stays long enough for a busy machine's GC pauses
        c.put("heartbeat.interval", 1000);
        c.put("heartbeat.timeout", 15000);
        c.put("metrics.fetcher.update-interval", 1000);
        c.put("state.backend.type", "hashmap");
        c.put("state.checkpoints.dir", checkpoints().toUri().toString());
        c.put("state.savepoints.dir", savepoints().toUri().toString());
        // what the start scripts derive (BashJavaUtils); TaskManagerRunner insists on them being explicit
        c.put("taskmanager.cpu.cores", slots);
        c.put("taskmanager.memory.framework.heap.size", "64m");
        c.put("taskmanager.memory.task.heap.size", "192m");
        c.put("taskmanager.memory.framework.off-heap.size", "64m");
        c.put("taskmanager.memory.task.off-heap.size", "64m");
        c.put("taskmanager.memory.network.min", "32m");
        c.put("taskmanager.memory.network.max", "32m");
        c.put("taskmanager.memory.managed.size", "0m");
        c.put("taskmanager.memory.jvm-metaspace.size", "192m");
        c.put("taskmanager.memory.jvm-overhead.min", "64m");
        c.put("taskmanager.memory.jvm-overhead.max", "64m");
        c.put("jobmanager.memory.heap.size", "384m");
        c.put("jobmanager.memory.off-heap.size", "64m");
        c.put("jobmanager.memory.jvm-metaspace.size", "256m");
        c.put("jobmanager.memory.jvm-overhead.min", "64m");
        c.put("jobmanager.memory.jvm-overhead.max", "64m");
        return c.entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining("\n", "", "\n"));
    }

    /** Flink's jars as the build resolved them (the 'provided' closure and the logging jars of a distribution). */
    private static String flinkClasspath() {
        String files = System.getProperty("kinesisha.flink.classpath");
        if (files == null) {
            throw new IllegalStateException("kinesisha.flink.classpath is not set: run this as an integration test"
                    + " (mvn -pl replicator -am verify), after 'package' and 'pre-integration-test'");
        }
        List<String> entries = new ArrayList<>();
        for (String file : files.split(java.io.File.pathSeparator)) {
            try {
                entries.addAll(Arrays.asList(Files.readString(Paths.get(file), StandardCharsets.UTF_8)
                        .trim()
                        .split(java.io.File.pathSeparator)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the Flink classpath " + file, e);
            }
        }
        List<String> ours = entries.stream()
                .filter(e -> e.contains("kinesis-ha") || e.endsWith("classes"))
                .collect(Collectors.toList());
        if (!ours.isEmpty()) {
            throw new IllegalStateException("the Flink cluster's classpath must hold Flink's jars only, not " + ours);
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** SIGTERM to every process, then forcibly after 15 s. */
    @Override
    public void close() {
        List<Process> all = new ArrayList<>(taskManagers.values());
        if (jobManager != null) {
            all.add(jobManager);
        }
        stop(all, 15);
    }

    private static void stop(List<Process> processes, int graceSeconds) {
        processes.forEach(Process::destroy);
        for (Process process : processes) {
            try {
                if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            LIVE.remove(process);
        }
    }

    private static final String LOG4J = String.join(
            "\n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = file",
            "appender.file.name = file",
            "appender.file.type = File",
            "appender.file.fileName = ${sys:log.file}",
            "appender.file.layout.type = PatternLayout",
            "appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n",
            "logger.aws.name = software.amazon.awssdk",
            "logger.aws.level = WARN",
            "logger.netty.name = io.netty",
            "logger.netty.level = WARN",
            "logger.pekko.name = org.apache.pekko",
            "logger.pekko.level = WARN",
            "");
}
