package io.kinesisha.cli.replicate;

import io.kinesisha.cli.ConfigOptions;
import io.kinesisha.cli.OutputOptions;
import io.kinesisha.replicator.cluster.FlinkSessionCluster;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;

/**
 * {@code replicate --cluster URL}: submits the shaded job jar to a running Flink session cluster and reports the job,
 * then returns (the job runs on the cluster, not in this process). The config file is read here, where the jar's main
 * method builds the job graph (as {@code flink run} does), so it need not exist on the cluster; the cluster's
 * TaskManagers must reach the Kinesis and DynamoDB endpoints it names.
 */
final class ClusterSubmission {
    /** Set by the launcher to this checkout's job jar. */
    static final String JOB_JAR_PROPERTY = "kinesisha.job.jar";

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String url;
    private final Path jobJar;
    private final String savepoint;

    ClusterSubmission(String url, Path jobJar, String savepoint) {
        this.url = url;
        this.jobJar = jobJar;
        this.savepoint = savepoint;
    }

    /** Exit code 0 once the cluster accepted the job; bad input names the option (exit 2). */
    int submit(
            PrintWriter out,
            PrintWriter err,
            OutputOptions output,
            ConfigOptions config,
            boolean reverse,
            int parallelism) {
        Path jar = jar();
        if (config.configFile() == null) {
            throw new IllegalArgumentException(
                    "--cluster needs --config FILE: the job reads its configuration from it");
        }
        List<String> args = new ArrayList<>(List.of(
                "--config",
                config.configFile().toAbsolutePath().toString(),
                "--parallelism",
                String.valueOf(parallelism)));
        if (reverse) {
            args.add("--reverse");
        }
        config.overrides().forEach((key, value) -> {
            args.add("--set");
            args.add(key + "=" + value);
        });
        try (FlinkSessionCluster cluster = connect(url)) {
            JobID job = cluster.submit(jar, args, parallelism, savepoint);
            String name = cluster.jobName(job);
            if (output.json()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("cluster", cluster.url().toString());
                result.put("jobId", job.toHexString());
                result.put("jobName", name);
                result.put("jobJar", jar.toString());
                result.put("fromSavepoint", savepoint);
                output.printJson(out, result);
            } else {
                out.println(job.toHexString());
                out.flush();
                err.println("kinesis-ha replicate: submitted '" + name + "' to " + cluster.url() + " as job "
                        + job.toHexString() + "; end it for good (and retire its EFO consumer) with: ./kinesis-ha"
                        + " replicate --config " + config.configFile() + " --cluster " + cluster.url() + " --stop "
                        + job.toHexString() + (reverse ? " --reverse" : "") + " [--savepoint-dir DIR]");
                err.flush();
            }
            return 0;
        }
    }

    /** Connects to the cluster; what goes wrong names the {@code --cluster} option. */
    static FlinkSessionCluster connect(String url) {
        try {
            return FlinkSessionCluster.connect(url, TIMEOUT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--cluster " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("--cluster: " + e.getMessage(), e);
        }
    }

    private Path jar() {
        if (jobJar != null) {
            if (!Files.isRegularFile(jobJar)) {
                throw new IllegalArgumentException("--job-jar " + jobJar + " is not a file");
            }
            return jobJar;
        }
        String configured = System.getProperty(JOB_JAR_PROPERTY);
        if (configured == null || !Files.isRegularFile(Paths.get(configured))) {
            throw new IllegalArgumentException(
                    "--cluster needs the shaded job jar: build it with 'mvn -B -DskipTests -pl"
                            + " replicator -am package' (replicator/target/kinesis-ha-replicator-<version>-flink-job.jar)"
                            + " or name it with --job-jar FILE"
                            + (configured == null ? "" : "; not found: " + configured));
        }
        return Paths.get(configured);
    }
}
