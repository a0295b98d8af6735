package io.kinesisha.common.control;

import java.util.Objects;

/**
 * Which region's stream is copied into which: forward (primary to secondary) in normal operation, reverse
 * during failback. A replicator writes only while the control record names its direction and epoch.
 */
public final class ReplicationDirection implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final String sourceRegion;
    private final String targetRegion;

    public ReplicationDirection(String sourceRegion, String targetRegion) {
        if (Objects.requireNonNull(sourceRegion, "sourceRegion").equals(targetRegion)) {
            throw new IllegalArgumentException("source and target region are both " + sourceRegion);
        }
        this.sourceRegion = sourceRegion;
        this.targetRegion = Objects.requireNonNull(targetRegion, "targetRegion");
    }

    /** Parses {@code us-west-2->us-east-2}. */
    public static ReplicationDirection parse(String text) {
        String[] parts = text.split("->");
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            throw new IllegalArgumentException(
                    "replication direction must look like 'us-west-2->us-east-2', was '" + text + "'");
        }
        return new ReplicationDirection(parts[0].trim(), parts[1].trim());
    }

    public String sourceRegion() {
        return sourceRegion;
    }

    public String targetRegion() {
        return targetRegion;
    }

    public ReplicationDirection reversed() {
        return new ReplicationDirection(targetRegion, sourceRegion);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplicationDirection
                && ((ReplicationDirection) o).sourceRegion.equals(sourceRegion)
                && ((ReplicationDirection) o).targetRegion.equals(targetRegion);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sourceRegion, targetRegion);
    }

    @Override
    public String toString() {
        return sourceRegion + "->" + targetRegion;
    }
}
