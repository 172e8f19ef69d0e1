package io.raftline.client;

import io.raftline.client.TailPosition.Verdict;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TailPositionTest
{
    @Test
    void framesThatBeginBeyondWhatWasScannedAreAGapNeverSkipped()
    {
        final TailPosition position = new TailPosition(1);
        assertEquals(1, position.restart(1));
        assertEquals(Verdict.NEW, position.judge(1, 1, 11));
        position.scanned(11);
        // frames 11..20 lost with an image; the next one arrives
        assertEquals(Verdict.GAP, position.judge(1, 21, 31));
        assertEquals(11, position.next(), "nothing past the gap counts as scanned");
        assertEquals(11, position.restart(2), "asked again from the gap");
        assertEquals(Verdict.OLD, position.judge(1, 31, 41), "frames of the stream with the gap are ignored");
        assertEquals(Verdict.NEW, position.judge(2, 11, 21));
    }

    @Test
    void repeatsAndFramesThatSayWhereTheNodeStandsAreOld()
    {
        final TailPosition position = new TailPosition(5);
        position.restart(1);
        assertEquals(Verdict.NEW, position.judge(1, 5, 9));
        position.scanned(9);
        assertEquals(Verdict.OLD, position.judge(1, 5, 9), "a repeat");
        assertEquals(Verdict.OLD, position.judge(1, 9, 9), "nothing new to send");
        assertEquals(Verdict.NEW, position.judge(1, 7, 12), "overlaps, then goes on: its new part counts");
    }

    @Test
    void aStreamFromTheFirstOrFromNowStartsWhereTheNodeSaysThenHoldsToIt()
    {
        final TailPosition position = new TailPosition(Consumer.NOW);
        assertEquals(Consumer.NOW, position.restart(1));
        assertEquals(Verdict.OLD, position.judge(1, 40, 40), "the node says the stream starts at 40");
        assertEquals(40, position.next());
        assertEquals(Verdict.GAP, position.judge(1, 45, 50));
        assertEquals(40, position.restart(2), "asked again from 40, not from now");
        final TailPosition first = new TailPosition(Consumer.FIRST);
        assertEquals(Consumer.FIRST, first.restart(1));
        assertEquals(Verdict.OLD, first.judge(0, 1, 10), "a frame of no stream asked for");
        assertEquals(Verdict.NEW, first.judge(1, 1, 10));
        assertEquals(Verdict.OLD, first.judge(7, 10, 20), "a stream of another consumer of the client");
    }
}
