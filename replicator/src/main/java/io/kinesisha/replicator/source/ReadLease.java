package io.kinesisha.replicator.source;

import java.io.Serializable;

/**
 * The right to read a stream as the one job of its kind: two jobs reading through the same EFO consumer steal each
 * other's subscriptions, and both write. The enumerator renews it before every shard discovery and reads nothing
 * until it holds it; if another runner holds it, the job fails without restarts (a restart could not win it back),
 * naming the holder. Renew and release run on the enumerator's worker thread and may do I/O.
 */
public interface ReadLease extends Serializable {
    /** Takes or renews the lease; false if another runner holds it. Throws if the answer cannot be known. */
    boolean renew();

    /** Who holds the lease, for the error message of a job that lost it. */
    String holder();

    /** Gives the lease up (the job stops); best effort. */
    void release();
}
