package io.kinesisha.replicator.sink;

import io.kinesisha.common.aws.AwsTarget;
import java.util.Objects;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * An {@link AwsTarget} as a serializable supplier, so a sink or gate can also be given a target that must be
 * built on the task manager. Fixed keys end up in the job graph: use them only for local environments.
 */
public final class AwsTargetSpec implements SerializableSupplier<AwsTarget> {
    private static final long serialVersionUID = 2L;

    private final AwsTarget target;

    private AwsTargetSpec(AwsTarget target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    public static AwsTargetSpec of(AwsTarget target) {
        return new AwsTargetSpec(target);
    }

    @Override
    public AwsTarget get() {
        return target;
    }

    public String region() {
        return target.regionName();
    }

    @Override
    public String toString() {
        return target.toString();
    }
}
