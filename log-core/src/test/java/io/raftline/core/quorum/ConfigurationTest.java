package io.raftline.core.quorum;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigurationTest
{
    @Test
    void aSimpleConfigurationSortsItsVoters()
    {
        final Configuration configuration = Configuration.of(3, 1, 2);
        assertArrayEquals(new int[]{1, 2, 3}, configuration.voters());
        assertArrayEquals(new int[]{1, 2, 3}, configuration.members());
        assertArrayEquals(new int[0], configuration.outgoingVoters());
        assertArrayEquals(new int[0], configuration.learners());
        assertFalse(configuration.isJoint());
        assertTrue(configuration.isVoter(2));
        assertFalse(configuration.isVoter(4));
        assertFalse(configuration.isLearner(2));
        assertTrue(configuration.isMember(3));
        assertFalse(configuration.isMember(4));
        assertEquals(3, configuration.voterCount());
        assertEquals(0, configuration.outgoingVoterCount());
        assertEquals(1, configuration.voter(0));
        assertEquals(3, configuration.voter(2));
    }

    @Test
    void thesis4_2_1_learnersAreMembersButNotVoters()
    {
        final Configuration configuration = Configuration.withLearners(new int[]{2, 1}, new int[]{5, 4});
        assertArrayEquals(new int[]{4, 5}, configuration.learners());
        assertArrayEquals(new int[]{1, 2, 4, 5}, configuration.members());
        assertTrue(configuration.isLearner(4));
        assertFalse(configuration.isVoter(4));
        assertTrue(configuration.isMember(5));
        assertFalse(configuration.isJoint());
    }

    @Test
    void section6_aJointConfigurationHasTwoVoterSetsAndLeavesToTheIncomingOne()
    {
        final Configuration joint = Configuration.joint(new int[]{1, 2, 4}, new int[]{3, 2, 1}, new int[]{7});
        assertTrue(joint.isJoint());
        assertArrayEquals(new int[]{1, 2, 4}, joint.voters());
        assertArrayEquals(new int[]{1, 2, 3}, joint.outgoingVoters());
        assertArrayEquals(new int[]{1, 2, 3, 4, 7}, joint.members());
        assertTrue(joint.isVoter(3), "an outgoing voter still votes");
        assertTrue(joint.isVoter(4));
        assertFalse(joint.isVoter(7));
        assertEquals(3, joint.outgoingVoterCount());
        assertEquals(3, joint.outgoingVoter(2));

        final Configuration left = joint.leaveJoint();
        assertFalse(left.isJoint());
        assertArrayEquals(new int[]{1, 2, 4}, left.voters());
        assertArrayEquals(new int[]{7}, left.learners());
        assertFalse(left.isVoter(3));
        assertEquals(Configuration.withLearners(new int[]{1, 2, 4}, new int[]{7}), left);
    }

    @Test
    void anAbandonedJointChangeReturnsToTheOutgoingVotersWithItsLearnersLearnersAgain()
    {
        final Configuration before = Configuration.withLearners(new int[]{1, 2, 3}, new int[]{4, 7})
            .withMember(4, 404, "host:4").withMember(3, 303, "host:3");
        final Configuration joint = before.enterJoint(new int[]{1, 4});
        final Configuration abandoned = joint.abandonJoint();
        assertFalse(abandoned.isJoint());
        assertArrayEquals(new int[]{1, 2, 3}, abandoned.voters());
        assertArrayEquals(new int[]{4, 7}, abandoned.learners());
        assertEquals(Configuration.UNBOUND, abandoned.identity(4), "a learner again: no disk until promoted again");
        assertEquals("host:4", abandoned.endpoint(4));
        assertEquals(303, abandoned.identity(3), "the voters keep theirs");
        assertEquals("host:3", abandoned.endpoint(3));
        assertThrows(IllegalArgumentException.class, before::abandonJoint);
    }

    @Test
    void invalidConfigurationsAreRefused()
    {
        assertThrows(IllegalArgumentException.class, Configuration::of);
        assertThrows(IllegalArgumentException.class, () -> Configuration.of(1, 0));
        assertThrows(IllegalArgumentException.class, () -> Configuration.of(-2, 1));
        assertThrows(IllegalArgumentException.class, () -> Configuration.of(1, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> Configuration.withLearners(new int[]{1, 2}, new int[]{2}));
        assertThrows(IllegalArgumentException.class,
            () -> Configuration.joint(new int[]{1, 2}, new int[]{3}, new int[]{3}));
        assertThrows(IllegalArgumentException.class, () -> Configuration.joint(new int[]{1}, new int[0], new int[0]));
        assertThrows(IllegalArgumentException.class, () -> Configuration.withLearners(new int[0], new int[]{1}));
        final IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
            () -> Configuration.of(5, 5));
        assertTrue(twice.getMessage().contains("node 5 appears twice"), twice.getMessage());
    }

    @Test
    void accessorsReturnCopies()
    {
        final int[] input = {2, 1};
        final Configuration configuration = Configuration.withLearners(input, new int[]{3});
        input[0] = 9;
        configuration.voters()[0] = 9;
        configuration.learners()[0] = 9;
        assertArrayEquals(new int[]{1, 2}, configuration.voters());
        assertArrayEquals(new int[]{3}, configuration.learners());
        final Configuration joint = Configuration.joint(new int[]{1}, new int[]{2}, new int[0]);
        joint.outgoingVoters()[0] = 9;
        assertArrayEquals(new int[]{2}, joint.outgoingVoters());
    }

    @Test
    void equalityIgnoresOrderButNotRoles()
    {
        final Configuration a = Configuration.withLearners(new int[]{1, 2, 3}, new int[]{4});
        final Configuration b = Configuration.withLearners(new int[]{3, 2, 1}, new int[]{4});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, Configuration.of(1, 2, 3));
        assertNotEquals(a, Configuration.withLearners(new int[]{1, 2, 3}, new int[]{5}));
        assertNotEquals(a, Configuration.joint(new int[]{1, 2, 3}, new int[]{1}, new int[]{4}));
        assertNotEquals(Configuration.of(1, 2), Configuration.of(1, 3));
        assertNotEquals(a.hashCode(), Configuration.of(1, 2, 3).hashCode());
        assertNotEquals(Configuration.joint(new int[]{1}, new int[]{2}, new int[0]).hashCode(),
            Configuration.joint(new int[]{1}, new int[]{3}, new int[0]).hashCode());
        assertNotEquals(a, "voters=[1, 2, 3]");
    }

    @Test
    void configurationsThatDifferInOneSetHashDifferently()
    {
        assertNotEquals(Configuration.of(1, 2, 3).hashCode(), Configuration.of(1, 2, 4).hashCode());
        assertNotEquals(Configuration.withLearners(new int[]{1}, new int[]{2}).hashCode(),
            Configuration.withLearners(new int[]{1}, new int[]{3}).hashCode());
        assertNotEquals(Configuration.joint(new int[]{1}, new int[]{2}, new int[0]).hashCode(),
            Configuration.of(1).hashCode());
    }

    @Test
    void toStringNamesEachSetThatIsNotEmpty()
    {
        assertEquals("voters=[1, 2]", Configuration.of(2, 1).toString());
        assertEquals("voters=[1] learners=[3]", Configuration.withLearners(new int[]{1}, new int[]{3}).toString());
        assertEquals("voters=[1] outgoing=[2]", Configuration.joint(new int[]{1}, new int[]{2}, new int[0]).toString());
    }

    @Test
    void aConfigurationHasAtMostMaxMembers()
    {
        final int[] ids = new int[Configuration.MAX_MEMBERS + 1];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = i + 1;
        }
        final int[] most = java.util.Arrays.copyOf(ids, Configuration.MAX_MEMBERS);
        assertEquals(Configuration.MAX_MEMBERS, Configuration.of(most).members().length);
        assertThrows(IllegalArgumentException.class, () -> Configuration.of(ids));
        assertThrows(IllegalArgumentException.class,
            () -> Configuration.of(most).addLearner(Configuration.MAX_MEMBERS + 1, null));
    }

    @Test
    void removingALearnerKeepsEveryOtherMember()
    {
        final Configuration configuration = Configuration.withLearners(new int[]{1, 2}, new int[]{4, 5, 6})
            .withMember(5, 55, "h:5");
        final Configuration without = configuration.removeLearner(5);
        assertArrayEquals(new int[]{4, 6}, without.learners());
        assertArrayEquals(new int[]{1, 2}, without.voters());
        assertFalse(without.isMember(5));
        assertEquals(Configuration.withLearners(new int[]{1, 2}, new int[]{4, 6}), without);
        assertThrows(IllegalArgumentException.class, () -> configuration.removeLearner(1), "a voter");
        assertThrows(IllegalArgumentException.class, () -> configuration.removeLearner(9));
    }

    @Test
    void toStringShowsTheStartOfEachBoundIdentity()
    {
        final Configuration bound = Configuration.withLearners(new int[]{1, 2}, new int[]{3})
            .withMember(1, 0x6f1c_0000_0000_0001L, null).withMember(3, 0x09ab_ffff_0000_0000L, "h:3");
        assertEquals("voters=[1, 2] learners=[3] disks={1:6f1c.., 3:09ab..}", bound.toString());
        assertEquals("no members", Configuration.NONE.toString());
    }
}
