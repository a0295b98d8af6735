package io.kinesisha.common.control;

import java.util.Objects;

/**
 * Who may run something that must never run twice at once (a replicator job of one direction and epoch): its owner,
 * until when, and what it is. An owner renews it well before it expires; another may take it only once it has
 * expired, so two runners never both believe they hold it.
 */
public final class RunnerLease {
    private final String name;
    private final String owner;
    private final long acquiredEpochMillis;
    private final long expiresEpochMillis;
    private final String description;

    public RunnerLease(
            String name, String owner, long acquiredEpochMillis, long expiresEpochMillis, String description) {
        this.name = Objects.requireNonNull(name, "name");
        this.owner = Objects.requireNonNull(owner, "owner");
        this.acquiredEpochMillis = acquiredEpochMillis;
        this.expiresEpochMillis = expiresEpochMillis;
        this.description = description == null ? "" : description;
    }

    public String name() {
        return name;
    }

    public String owner() {
        return owner;
    }

    public long acquiredEpochMillis() {
        return acquiredEpochMillis;
    }

    public long expiresEpochMillis() {
        return expiresEpochMillis;
    }

    public String description() {
        return description;
    }

    public boolean heldAt(long nowEpochMillis) {
        return nowEpochMillis < expiresEpochMillis;
    }

    @Override
    public String toString() {
        return name + " held by " + owner + " (" + description + ") until "
                + java.time.Instant.ofEpochMilli(expiresEpochMillis);
    }
}
