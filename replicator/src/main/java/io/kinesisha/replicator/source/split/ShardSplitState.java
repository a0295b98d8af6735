package io.kinesisha.replicator.source.split;

/** The mutable reading position of a split in a reader: the last sequence number emitted. */
public final class ShardSplitState {
    private final ShardSplit split;
    private String lastSequenceNumber;
    /** Whether a record was emitted: then a restore resumes after {@link #lastSequenceNumber}. */
    private boolean emittedAny;

    public ShardSplitState(ShardSplit split) {
        this.split = split;
        this.lastSequenceNumber = split.startingPosition().sequenceNumber();
    }

    /**
     * A record was emitted: a restore resumes after it. Runs once per record, so the position is only made when a
     * checkpoint asks for it ({@link #toSplit}).
     */
    public void emitted(String sequenceNumber) {
        this.lastSequenceNumber = sequenceNumber;
        this.emittedAny = true;
    }

    public String lastSequenceNumber() {
        return lastSequenceNumber;
    }

    public ShardSplit toSplit() {
        return split.withPosition(
                emittedAny ? ShardStartingPosition.afterSequenceNumber(lastSequenceNumber) : split.startingPosition());
    }
}
