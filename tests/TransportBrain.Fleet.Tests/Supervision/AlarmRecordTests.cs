using TransportBrain.Fleet.Supervision;

namespace TransportBrain.Fleet.Tests.Supervision;

public sealed class AlarmRecordTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 21, 2, 15, 0, TimeSpan.Zero);

    private static AlarmSignalEvent Signal(AlarmSignal signal, DateTimeOffset at, string id = "T1-overspeed-20261121T021500Z", AlarmSeverity severity = AlarmSeverity.Warning) =>
        new(signal, id, AlarmKind.Overspeed, severity, "T1", "贵A12345", VehicleCategory.Coach, s_t0, at, 26.6, 106.7,
            "超速", "Overspeed", new Dictionary<string, double> { ["maxSpeedKmh"] = 112 });

    private static AlarmRecord Raised() => AlarmRecord.FromSignal(Signal(AlarmSignal.Raised, s_t0.AddSeconds(30)));

    [Fact]
    public void An_alarm_goes_from_raised_to_acknowledged_to_handled_to_closed()
    {
        var alarm = Raised();

        alarm.Acknowledge("monitor-1", s_t0.AddMinutes(1));
        alarm.Handle("monitor-1", s_t0.AddMinutes(2), "语音提醒驾驶员减速");
        alarm.Close("supervisor", s_t0.AddMinutes(10), "已核实");

        Assert.Equal(AlarmStatus.Closed, alarm.Status);
        Assert.Equal(("monitor-1", "语音提醒驾驶员减速", "supervisor"), (alarm.HandledBy, alarm.HandlingAction, alarm.ClosedBy));
        Assert.Equal(
            [AlarmHistoryAction.Raised, AlarmHistoryAction.Acknowledged, AlarmHistoryAction.Handled, AlarmHistoryAction.Closed],
            alarm.History.Select(h => h.Action));
    }

    [Fact]
    public void Handling_a_raised_alarm_records_the_acknowledgement_first()
    {
        var alarm = Raised();

        alarm.Handle("monitor-2", s_t0.AddMinutes(3), "电话联系企业");

        Assert.Equal(AlarmStatus.Handled, alarm.Status);
        Assert.Equal(("monitor-2", s_t0.AddMinutes(3)), (alarm.AcknowledgedBy, alarm.AcknowledgedAt!.Value));
        Assert.Equal([AlarmHistoryAction.Raised, AlarmHistoryAction.Acknowledged, AlarmHistoryAction.Handled], alarm.History.Select(h => h.Action));
    }

    [Fact]
    public void An_acknowledged_alarm_can_be_closed_without_handling_once_its_condition_has_ended()
    {
        var alarm = Raised();
        alarm.Acknowledge("m", s_t0.AddMinutes(1));

        var refused = Assert.Throws<AlarmLifecycleException>(() => alarm.Close("m", s_t0.AddMinutes(2)));
        alarm.Apply(Signal(AlarmSignal.Ended, s_t0.AddMinutes(3), severity: AlarmSeverity.Serious));
        alarm.Close("m", s_t0.AddMinutes(4), "驾驶员已自行纠正");

        Assert.Contains("condition is still going on", refused.Message);
        Assert.Equal(AlarmStatus.Closed, alarm.Status);
        Assert.Equal(s_t0.AddMinutes(3), alarm.EndedAt);
        Assert.Equal(AlarmSeverity.Serious, alarm.Severity);
    }

    [Fact]
    public void A_raised_alarm_cannot_be_closed_even_when_its_condition_has_ended()
    {
        var alarm = Raised();
        alarm.Apply(Signal(AlarmSignal.Ended, s_t0.AddMinutes(3)));

        var e = Assert.Throws<AlarmLifecycleException>(() => alarm.Close("m", s_t0.AddMinutes(4)));

        Assert.Equal("Cannot close alarm 'T1-overspeed-20261121T021500Z' (Raised): it has not been acknowledged.", e.Message);
        Assert.Equal((AlarmStatus.Raised, AlarmHistoryAction.Closed), (e.Status!.Value, e.Attempted!.Value));
    }

    [Fact]
    public void Steps_cannot_be_repeated_or_taken_after_closing()
    {
        var alarm = Raised();
        alarm.Acknowledge("m", s_t0.AddMinutes(1));

        Assert.Throws<AlarmLifecycleException>(() => alarm.Acknowledge("m", s_t0.AddMinutes(2)));
        alarm.Handle("m", s_t0.AddMinutes(2), "提醒");
        Assert.Throws<AlarmLifecycleException>(() => alarm.Handle("m", s_t0.AddMinutes(3), "again"));
        Assert.Throws<AlarmLifecycleException>(() => alarm.Acknowledge("m", s_t0.AddMinutes(3)));
        alarm.Close("m", s_t0.AddMinutes(3));
        var e = Assert.Throws<AlarmLifecycleException>(() => alarm.Handle("m", s_t0.AddMinutes(4), "late"));

        Assert.Contains("it is closed", e.Message);
    }

    [Fact]
    public void An_action_earlier_than_the_previous_one_is_refused()
    {
        var alarm = Raised();
        alarm.Acknowledge("m", s_t0.AddMinutes(5));

        Assert.Throws<AlarmLifecycleException>(() => alarm.Handle("m", s_t0.AddMinutes(4), "提醒"));
        Assert.Equal(AlarmStatus.Acknowledged, alarm.Status);
    }

    [Fact]
    public void Apply_records_the_end_once_and_refuses_a_signal_of_another_alarm()
    {
        var alarm = Raised();

        alarm.Apply(Signal(AlarmSignal.Raised, s_t0.AddSeconds(30)));
        alarm.Apply(Signal(AlarmSignal.Ended, s_t0.AddMinutes(3)));
        alarm.Apply(Signal(AlarmSignal.Ended, s_t0.AddMinutes(4)));

        Assert.Equal(s_t0.AddMinutes(3), alarm.EndedAt);
        Assert.Equal(AlarmStatus.Raised, alarm.Status);
        Assert.Equal([AlarmHistoryAction.Raised, AlarmHistoryAction.ConditionEnded], alarm.History.Select(h => h.Action));
        Assert.Throws<ArgumentException>(() => alarm.Apply(Signal(AlarmSignal.Ended, s_t0.AddMinutes(5), id: "T2-overspeed-20261121T021500Z")));
        Assert.Throws<ArgumentException>(() => AlarmRecord.FromSignal(Signal(AlarmSignal.Ended, s_t0)));
    }

    [Fact]
    public void A_record_built_from_engine_signals_follows_the_episode()
    {
        var engine = new SupervisionEngine(SupervisionConfig.Default);
        var coach = new TestVehicle(engine);
        var t = TestVehicle.Local(2026, 11, 21, 10, 0);
        var signals = coach.Run(t, t + TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(10), 120)
            .Concat(coach.Run(t + TimeSpan.FromSeconds(50), t + TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(10), 80)).ToList();

        var alarm = AlarmRecord.FromSignal(signals[0]);
        alarm.Apply(signals[1]);

        Assert.Equal((AlarmKind.Overspeed, "贵A12345", VehicleCategory.Coach), (alarm.Kind, alarm.Plate, alarm.Category));
        Assert.True(alarm.ConditionEnded);
        Assert.Equal(50, alarm.Evidence["durationS"]);
    }
}
