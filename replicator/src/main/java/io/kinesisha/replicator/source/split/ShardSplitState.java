package io.kinesisha.replicator.source.split;

/** The mutable reading position of a split in a reader: the last sequence number emitted. */
public final class ShardSplitState {
    private final ShardSplit split;
    private ShardStartingPosition next;
    private String lastSequenceNumber;

    public ShardSplitState(ShardSplit split) {
        this.split = split;
        this.next = split.startingPosition();
        this.lastSequenceNumber = split.startingPosition().sequenceNumber();
    }

    /** A record was emitted: a restore resumes after it. */
    public void emitted(String sequenceNumber) {
        this.lastSequenceNumber = sequenceNumber;
        this.next = ShardStartingPosition.afterSequenceNumber(sequenceNumber);
    }

    public String lastSequenceNumber() {
        return lastSequenceNumber;
    }

    public ShardSplit toSplit() {
        return split.withPosition(next);
    }
}
