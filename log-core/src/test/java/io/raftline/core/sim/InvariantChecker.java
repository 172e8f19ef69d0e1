package io.raftline.core.sim;

import io.raftline.core.MemoryRaftLog;
import io.raftline.core.RaftNode;
import io.raftline.core.Role;
import io.raftline.core.quorum.Configuration;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Raft's safety properties (§5.2, Figure 3), checked incrementally after every simulated step so that each costs
 * O(new entries): Election Safety, Log Matching, Leader Completeness, State Machine Safety (a committed entry
 * never changes), and that terms and commit indexes never go back. Entries are compared by chain hash, which
 * covers an entry and everything before it.
 */
final class InvariantChecker
{
    /** Something that must never happen happened. */
    static final class Violation extends RuntimeException
    {
        Violation(final String message)
        {
            super(message);
        }
    }

    private final Map<Long, Integer> leaderOfTerm = new HashMap<>();
    private final Map<Integer, List<LostDisk>> lostDisks = new HashMap<>();
    private final Map<Long, Long> chainOfEntry = new HashMap<>();   // key: index * 2^20 + term
    private final Map<Long, Long> leaderChain = new HashMap<>();    // key: term * 2^32 + index: the leader's log
    private final Map<Long, Long> leaderRecordedTo = new HashMap<>(); // term -> last index recorded of its leader
    private long[] committedChain = new long[1024];
    private long[] committedLeaderTerm = new long[1024];             // the term of the leader that committed it
    private long committedIndex;                                      // highest index known committed anywhere
    private final long[] checkedUpTo;                                 // per node: log entries already recorded
    private final long[] lastTerm;
    private final long[] lastCommit;
    private final boolean[] wasLeader;
    private final long[] leaderTermChecked;

    InvariantChecker(final int nodeCount)
    {
        checkedUpTo = new long[nodeCount + 1];
        lastTerm = new long[nodeCount + 1];
        lastCommit = new long[nodeCount + 1];
        wasLeader = new boolean[nodeCount + 1];
        leaderTermChecked = new long[nodeCount + 1];
    }

    long committedIndex()
    {
        return committedIndex;
    }

    /** A disk a machine lost, with the identity it had. */
    private record LostDisk(MemoryRaftLog log, long identity)
    {
    }

    /**
     * A machine lost its disk: it starts again from term 0 with an empty log, as a new server. What the lost disk
     * held still counts for commits made on its acknowledgements, sent before it was lost (a leader may count an
     * acknowledgement of a disk lost since, even of one lost before the last).
     */
    void onWipe(final int id, final MemoryRaftLog lostLog, final long lostIdentity)
    {
        lostDisks.computeIfAbsent(id, ignored -> new java.util.ArrayList<>()).add(new LostDisk(lostLog, lostIdentity));
        lastTerm[id] = 0;
        checkedUpTo[id] = 0;
        onRestart(id);
    }

    /**
     * A damaged entry cut a machine's log short: as with a lost disk, what it held still counts for commits made on
     * its acknowledgements, and its repair floor keeps it from voting for a log that lacks them.
     */
    void onDamage(final int id, final MemoryRaftLog damagedLog, final long identity)
    {
        lostDisks.computeIfAbsent(id, ignored -> new java.util.ArrayList<>()).add(new LostDisk(damagedLog, identity));
        checkedUpTo[id] = 0;
    }

    /**
     * Raft §6: what leader {@code leader} just committed is held, durably, by a majority of each voter set of the
     * configuration in force (one of {@code inForce}), counting only voters on the disks it records.
     */
    void checkCommittedOnQuorums(
        final RaftNode leader, final List<Configuration> inForce, final MemoryRaftLog[] logs, final long[] identities)
    {
        final long index = leader.commitIndex();
        final long chain = logs[leader.id()].chain(index);
        String why = null;
        for (final Configuration configuration : inForce)
        {
            why = shortOfQuorum(configuration.voters(), configuration, index, chain, logs, identities);
            if (why == null)
            {
                why = shortOfQuorum(configuration.outgoingVoters(), configuration, index, chain, logs, identities);
            }
            if (why == null)
            {
                return;
            }
        }
        throw new Violation("leader " + leader.id() + " committed " + index + " held by " + why);
    }

    private String shortOfQuorum(
        final int[] voters,
        final Configuration configuration,
        final long index,
        final long chain,
        final MemoryRaftLog[] logs,
        final long[] identities)
    {
        if (voters.length == 0)
        {
            return null;
        }
        int holding = 0;
        for (final int voter : voters)
        {
            boolean held = holds(configuration, voter, identities[voter], logs[voter], index, chain);
            for (final LostDisk lost : lostDisks.getOrDefault(voter, List.of()))
            {
                held |= holds(configuration, voter, lost.identity(), lost.log(), index, chain);
            }
            holding += held ? 1 : 0;
        }
        return holding > voters.length / 2 ? null :
            holding + " of voters " + java.util.Arrays.toString(voters) + " (" + configuration + ")";
    }

    private static boolean holds(
        final Configuration configuration,
        final int voter,
        final long identity,
        final MemoryRaftLog log,
        final long index,
        final long chain)
    {
        if (!configuration.identityMatches(voter, identity) || log.durableLastIndex() < index)
        {
            return false;
        }
        // below the log's start the voter's snapshot holds the entry: equal states are checked elsewhere
        return index < log.firstIndex() - 1 || log.durableChain(index) == chain;
    }

    /**
     * No committed entry is ever lost: the newest one is on some disk still in use, in its durable log or below
     * the start of it (then its snapshot holds it).
     */
    void checkCommittedKept(final MemoryRaftLog[] logs)
    {
        if (committedIndex == 0)
        {
            return;
        }
        for (int id = 1; id < logs.length; id++)
        {
            final MemoryRaftLog log = logs[id];
            if (committedIndex < log.firstIndex() - 1 || (committedIndex <= log.durableLastIndex() &&
                log.durableChain(committedIndex) == committedChain[(int)committedIndex]))
            {
                return;
            }
        }
        throw new Violation("committed entry " + committedIndex + " is on no disk any more");
    }

    /** A node restarted: its commit index may start again from zero, its term may not go back. */
    void onRestart(final int id)
    {
        lastCommit[id] = 0;
        wasLeader[id] = false;
    }

    /** A node's term as persisted; it must never decrease, across restarts too. */
    void onPersistedTerm(final int id, final long term)
    {
        if (term < lastTerm[id])
        {
            throw new Violation("node " + id + " persisted term " + term + " after term " + lastTerm[id]);
        }
        lastTerm[id] = term;
    }

    void check(final int id, final RaftNode node, final MemoryRaftLog log)
    {
        checkTerm(id, node);
        checkLogMatching(id, log);
        if (node.role() == Role.LEADER)
        {
            checkElectionSafety(id, node);
            recordLeaderLog(node.term(), log);
            if (!wasLeader[id] || leaderTermChecked[id] != node.term())
            {
                checkLeaderCompleteness(id, node, log);
                leaderTermChecked[id] = node.term();
            }
        }
        wasLeader[id] = node.role() == Role.LEADER;
        checkCommit(id, node, log);
    }

    private void checkTerm(final int id, final RaftNode node)
    {
        if (node.term() < lastTerm[id])
        {
            throw new Violation("node " + id + " term went back from " + lastTerm[id] + " to " + node.term());
        }
        lastTerm[id] = node.term();
    }

    private void checkElectionSafety(final int id, final RaftNode node)
    {
        onLeader(id, node.term());
    }

    /**
     * Node {@code id} leads {@code term}: recorded as soon as its Ready is taken, so that a leader that crashes
     * before anything reaches its disk still counts against a second leader of the same term.
     */
    void onLeader(final int id, final long term)
    {
        final Integer previous = leaderOfTerm.putIfAbsent(term, id);
        if (previous != null && previous != id)
        {
            throw new Violation("two leaders in term " + term + ": " + previous + " and " + id);
        }
    }

    /** The leader of a term never changes its log during the term: what it held at each index is known for good. */
    private void recordLeaderLog(final long term, final MemoryRaftLog log)
    {
        final long from = leaderRecordedTo.getOrDefault(term, 0L);
        for (long index = Math.max(from + 1, log.firstIndex()); index <= log.lastIndex(); index++)
        {
            leaderChain.put((term << 32) + index, log.chain(index));
        }
        leaderRecordedTo.put(term, Math.max(from, log.lastIndex()));
    }

    /**
     * An acknowledgement that node {@code id} holds the entries of term {@code term}'s leader up to {@code index}
     * is about to leave: its durable log must hold exactly those entries (§5.3, thesis §10.2.1). A promise sent
     * before persisting, or one that a truncation in the same Ready made false, fails here.
     */
    void checkAcknowledgement(final int id, final long term, final long index, final MemoryRaftLog durableLog)
    {
        final Long chain = leaderChain.get((term << 32) + index);
        if (chain == null || index == 0 || index < durableLog.firstIndex() - 1)
        {
            return; // the leader's log there was never seen (it lost leadership in the step that sent it)
        }
        if (index > durableLog.durableLastIndex() || durableLog.durableChain(index) != chain)
        {
            throw new Violation("node " + id + " acknowledges the log of term " + term + "'s leader up to " + index +
                " but does not hold it durably");
        }
    }

    /** §5.3: entries with the same index and term are the same, and so is everything before them. */
    private void checkLogMatching(final int id, final MemoryRaftLog log)
    {
        checkedUpTo[id] = Math.min(checkedUpTo[id], Math.min(log.takeLowestTruncation() - 1, log.lastIndex()));
        for (long index = Math.max(checkedUpTo[id] + 1, log.firstIndex()); index <= log.lastIndex(); index++)
        {
            final long term = log.term(index);
            final long chain = log.chain(index);
            final Long known = chainOfEntry.putIfAbsent((index << 20) + term, chain);
            if (known != null && known != chain)
            {
                throw new Violation("log matching: node " + id + " entry " + index + " of term " + term +
                    " differs from another node's entry with the same index and term");
            }
        }
        checkedUpTo[id] = log.lastIndex();
    }

    /** §5.4.1: a leader holds every entry committed in an earlier term. */
    private void checkLeaderCompleteness(final int id, final RaftNode node, final MemoryRaftLog log)
    {
        for (long index = committedIndex; index > 0; index--)
        {
            if (committedLeaderTerm[(int)index] < node.term())
            {
                // a compacted prefix is checked where the log starts: its chain hash covers what came before
                final long at = Math.max(index, log.firstIndex() - 1);
                if (at > log.lastIndex() || log.chain(at) != committedChain[(int)at])
                {
                    throw new Violation("leader completeness: node " + id + " leads term " + node.term() +
                        " without committed entry " + index);
                }
                return; // the chain hash covers every entry before it
            }
        }
    }

    /**
     * §5.4.1 on every commit, not only when a leader is elected: an entry committed in a term is in the log of the
     * leader of every later term, also of one elected before the commit was known (an old leader may count the last
     * acknowledgements after a new one was elected). The entry's term bound is the term of the node that first
     * reported the commit, so only leaders of later terms than that are held to it.
     */
    private void checkLeadersOfLaterTermsHold(final long index)
    {
        for (final Map.Entry<Long, Long> recorded : leaderRecordedTo.entrySet())
        {
            final long term = recorded.getKey();
            if (term <= committedLeaderTerm[(int)index])
            {
                continue;
            }
            final Long chain = leaderChain.get((term << 32) + index);
            if (recorded.getValue() < index || (chain != null && chain != committedChain[(int)index]))
            {
                throw new Violation("leader completeness: the leader of term " + term + " does not hold entry " +
                    index + ", committed since (in term " + committedLeaderTerm[(int)index] + " or before)");
            }
        }
    }

    /** State Machine Safety: what a node says is committed is what every node says is committed there. */
    private void checkCommit(final int id, final RaftNode node, final MemoryRaftLog log)
    {
        final long commit = node.commitIndex();
        if (commit < lastCommit[id])
        {
            throw new Violation("node " + id + " commit index went back from " + lastCommit[id] + " to " + commit);
        }
        if (commit == lastCommit[id])
        {
            return;
        }
        if (commit > log.lastIndex())
        {
            throw new Violation("node " + id + " commit index " + commit + " beyond its last index " +
                log.lastIndex());
        }
        final long known = Math.min(commit, committedIndex);
        if (known > 0 && known >= log.firstIndex() - 1 && log.chain(known) != committedChain[(int)known])
        {
            throw new Violation("state machine safety: node " + id + " committed a different entry " + known);
        }
        // a follower's term bounds that of the leader that committed the entry: the check stays sound
        final long leaderTerm = node.term();
        if (committedIndex + 1 < log.firstIndex())
        {
            throw new Violation("node " + id + " committed to " + commit + " from a snapshot at " +
                (log.firstIndex() - 1) + " that no node had committed (highest " + committedIndex + ")");
        }
        for (long index = committedIndex + 1; index <= commit; index++)
        {
            ensureCapacity(index);
            committedChain[(int)index] = log.chain(index);
            committedLeaderTerm[(int)index] = leaderTerm;
            checkLeadersOfLaterTermsHold(index);
        }
        committedIndex = Math.max(committedIndex, commit);
        lastCommit[id] = commit;
    }

    private void ensureCapacity(final long index)
    {
        if (index >= committedChain.length)
        {
            committedChain = java.util.Arrays.copyOf(committedChain, committedChain.length * 2);
            committedLeaderTerm = java.util.Arrays.copyOf(committedLeaderTerm, committedLeaderTerm.length * 2);
        }
    }
}
