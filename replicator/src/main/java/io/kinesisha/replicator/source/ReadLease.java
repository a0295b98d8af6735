package io.kinesisha.replicator.source;

import java.io.Serializable;

/**
 * The right to read a stream as the one job of its kind: two jobs reading through the same EFO consumer steal each
 * other's subscriptions, and both write. The enumerator renews it before every shard discovery and reads nothing
 * until it holds it; if another runner holds it, the job fails without restarts (a restart could not win it back),
 * naming the holder. A job that never held it waits while the holder does not renew it (a stopped job whose release
 * failed), and takes it once it expires. Renew and release run on the enumerator's worker thread and may do I/O.
 */
public interface ReadLease extends Serializable {
    /** What a renewal found. */
    enum Renewal {
        /** This job holds the lease: it may read. */
        HELD,
        /**
         * Another run holds it and has not renewed it since this job first looked: a job that stopped without
         * releasing it. This job reads nothing until the lease expires.
         */
        WAITING,
        /** Another run holds it and renews it (or took it from this job): this job must stop. */
        HELD_BY_ANOTHER
    }

    /** Takes or renews the lease. Throws if the answer cannot be known. */
    Renewal renew();

    /** Who holds the lease, for the error message of a job that lost it. */
    String holder();

    /** Gives the lease up (the job stops); best effort. */
    void release();
}
