using Vitals.Gateway.Patients;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests.Storage;

/// <summary>What a bind does to a slot's history (the same for both stores): validities of one slot never overlap.</summary>
public sealed class BindingPlanTests
{
    private static readonly PatientId Alice = PatientId.Parse("Patient/alice");
    private static readonly PatientId Bob = PatientId.Parse("Patient/bob");
    private static readonly DateTimeOffset T0 = Some.MeasuredAt;

    private static BindingRecord Binding(long id, PatientId patient, DateTimeOffset from, DateTimeOffset? to) => new(id, "cuff-1", 1, patient, from, to);

    [Fact]
    public void A_slot_without_bindings_gets_one_from_the_given_time()
    {
        Assert.Equal(new BindingPlan(null, null, Insert: true, T0), BindingPlan.For([], Alice, T0));
    }

    [Fact]
    public void Another_patient_ends_the_current_binding_where_the_new_one_starts()
    {
        var current = Binding(1, Alice, T0, null);

        Assert.Equal(new BindingPlan(current, null, Insert: true, T0.AddHours(1)), BindingPlan.For([current], Bob, T0.AddHours(1)));
    }

    [Fact]
    public void The_same_patient_keeps_the_current_binding_or_widens_it_to_an_earlier_start()
    {
        var current = Binding(1, Alice, T0, null);

        Assert.Equal(new BindingPlan(null, null, Insert: false, T0), BindingPlan.For([current], Alice, T0.AddHours(1)));
        Assert.Equal(new BindingPlan(null, current, Insert: false, T0.AddHours(-1)), BindingPlan.For([current], Alice, T0.AddHours(-1)));
    }

    [Fact]
    public void A_start_at_or_before_the_current_one_for_another_patient_is_a_conflict()
    {
        var current = Binding(1, Alice, T0, null);

        Assert.Same(current, Assert.Throws<BindingConflictException>(() => BindingPlan.For([current], Bob, T0)).Existing);
        Assert.Throws<BindingConflictException>(() => BindingPlan.For([current], Bob, T0.AddSeconds(-1)));
    }

    [Fact]
    public void A_start_inside_an_ended_binding_is_a_conflict_and_its_end_is_not()
    {
        var ended = Binding(1, Alice, T0, T0.AddHours(2));

        Assert.Same(ended, Assert.Throws<BindingConflictException>(() => BindingPlan.For([ended], Bob, T0.AddHours(1))).Existing);
        Assert.Throws<BindingConflictException>(() => BindingPlan.For([ended], Alice, T0.AddHours(1)));
        Assert.Equal(new BindingPlan(null, null, Insert: true, T0.AddHours(2)), BindingPlan.For([ended], Bob, T0.AddHours(2)));
    }
}
