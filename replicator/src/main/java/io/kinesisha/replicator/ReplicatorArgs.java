package io.kinesisha.replicator;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Command-line arguments of the replicator job. On Managed Service for Apache Flink there are none: the
 * configuration comes from the runtime properties (group {@code kinesis-ha}).
 */
public final class ReplicatorArgs {
    private Path configFile;
    private boolean reverse;
    private Integer parallelism;
    private final Map<String, String> overrides = new LinkedHashMap<>();

    public static ReplicatorArgs parse(String... args) {
        ReplicatorArgs parsed = new ReplicatorArgs();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--config":
                    parsed.configFile = Paths.get(value(args, ++i, arg));
                    break;
                case "--reverse":
                    parsed.reverse = true;
                    break;
                case "--parallelism":
                    String p = value(args, ++i, arg);
                    try {
                        parsed.parallelism = Integer.parseInt(p);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--parallelism must be a whole number, was '" + p + "'");
                    }
                    if (parsed.parallelism < 1) {
                        throw new IllegalArgumentException("--parallelism must be >= 1, was " + parsed.parallelism);
                    }
                    break;
                case "--set":
                    String kv = value(args, ++i, arg);
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set takes key=value, was '" + kv + "'");
                    }
                    parsed.overrides.put(kv.substring(0, eq), kv.substring(eq + 1));
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument '" + arg
                            + "' (known: --config FILE, --reverse, --parallelism N, --set key=value)");
            }
        }
        return parsed;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** The config file, or {@code null} to read Managed Flink runtime properties. */
    public Path configFile() {
        return configFile;
    }

    /** Replicate secondary to primary (failback) instead of primary to secondary. */
    public boolean reverse() {
        return reverse;
    }

    public Integer parallelism() {
        return parallelism;
    }

    public Map<String, String> overrides() {
        return overrides;
    }
}
