using Vitals.Gateway.Storage;
using Vitals.Gateway.Web.Pairing;

namespace Vitals.Gateway.Tests.Web.Pairing;

/// <summary>"Your readings" in plain words: the value, when it was taken, and where it stands on its way to the EHR.</summary>
public sealed class ReadingWordsTests
{
    private static readonly DateTimeOffset SentAt = new(2026, 11, 25, 10, 42, 0, TimeSpan.Zero);

    [Fact]
    public void A_delivered_blood_pressure_reads_as_upper_over_lower_with_pulse_and_the_time_it_was_sent()
    {
        var reading = new PatientReading(7, Some.StoredCuff(), PatientReadingState.Delivered, SentAt);

        Assert.Equal("Blood pressure 128 over 82, pulse 64, on 25 November at 07:30: sent to your care team at 10:42",
            ReadingWords.Describe(reading, TimeZoneInfo.Utc));
    }

    [Fact]
    public void A_queued_reading_is_waiting_and_a_dead_letter_says_the_care_team_was_told()
    {
        var thermometer = Some.StoredThermometer(celsius: 37.60m);

        Assert.Equal("Temperature 37.6 °C, on 25 November at 07:30: waiting to be sent",
            ReadingWords.Describe(new PatientReading(1, thermometer, PatientReadingState.Waiting, null), TimeZoneInfo.Utc));
        Assert.Equal("could not be sent: your care team has been told",
            ReadingWords.State(new PatientReading(1, thermometer, PatientReadingState.Dead, null), TimeZoneInfo.Utc));
    }

    [Fact]
    public void Times_are_the_gateways_local_time_and_each_slot_has_its_own_list()
    {
        var plusTwo = TimeZoneInfo.CreateCustomTimeZone("plus-two", TimeSpan.FromHours(2), "plus-two", "plus-two");

        Assert.Equal("12:42", ReadingWords.Clock(SentAt, plusTwo));
        Assert.Equal("25 November at 09:30", ReadingWords.When(Some.MeasuredAt, plusTwo));
        Assert.NotEqual(ReadingWords.ListId("cuff-1", 1), ReadingWords.ListId("cuff-1", 2));
        Assert.NotEqual(ReadingWords.ListId("cuff-1", null), ReadingWords.ListId("cuff-1", 1));
        Assert.Matches("^readings-[0-9a-f]+$", ReadingWords.ListId("C0:FF:EE:00:00:02", 1));
    }
}
