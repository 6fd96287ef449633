using System.Text;
using System.Text.Json;
using TransportBrain.Highway.Fusion;

namespace TransportBrain.Highway.Network;

/// <summary>
/// Writes the network as GeoJSON for maps and for keeping it: routes and sections as LineStrings,
/// facilities as Points, and (when given) each section's latest state in its properties. The output
/// reads back with <see cref="NetworkFile.LoadGeoJson"/> (sections are derived again, not read).
/// </summary>
public static class NetworkGeoJson
{
    public static string Write(RoadNetwork network, IReadOnlyList<SectionState?>? states, bool includeSections = true)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("type", "FeatureCollection");
            w.WriteStartArray("features");
            foreach (var r in network.Routes)
            {
                Begin(w, "LineString");
                Line(w, r.Line);
                w.WriteEndObject();
                w.WriteStartObject("properties");
                w.WriteString("kind", "route");
                w.WriteString("route", r.Code);
                w.WriteString("name_zh", r.NameZh);
                w.WriteString("name_en", r.NameEn);
                w.WriteString("road_class", r.RoadClass);
                w.WriteString("start_stake", Stake.Format(r.StartStake));
                w.WriteString("end_stake", Stake.Format(r.EndStake));
                w.WriteNumber("speed_limit_kmh", r.SpeedLimitKmh);
                w.WriteNumber("lanes_per_direction", r.LanesPerDirection);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            foreach (var z in network.SpeedLimitZones)
            {
                w.WriteStartObject();
                w.WriteString("type", "Feature");
                w.WriteNull("geometry");
                w.WriteStartObject("properties");
                w.WriteString("kind", "speed_limit");
                w.WriteString("route", z.Route);
                w.WriteNumber("direction", z.Direction);
                w.WriteString("stake", Stake.Format(z.FromStake));
                w.WriteString("end_stake", Stake.Format(z.ToStake));
                w.WriteNumber("speed_limit_kmh", z.LimitKmh);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            if (includeSections)
            {
                foreach (var s in network.Sections)
                {
                    Begin(w, "LineString");
                    Line(w, s.Line);
                    w.WriteEndObject();
                    w.WriteStartObject("properties");
                    w.WriteString("kind", "section");
                    w.WriteString("id", s.Id);
                    w.WriteString("route", s.Route);
                    w.WriteNumber("direction", s.Direction);
                    w.WriteString("from_gantry_id", s.From.Id);
                    w.WriteString("to_gantry_id", s.To.Id);
                    w.WriteString("from_stake", Stake.Format(s.FromStake));
                    w.WriteString("to_stake", Stake.Format(s.ToStake));
                    w.WriteNumber("length_m", Math.Round(s.LengthM));
                    w.WriteNumber("speed_limit_kmh", s.SpeedLimitKmh);
                    var st = states is not null && s.Index < states.Count ? states[s.Index] : null;
                    if (st is null)
                    {
                        w.WriteNull("state");
                    }
                    else
                    {
                        w.WriteStartObject("state");
                        w.WriteString("interval_start", st.IntervalStart);
                        WriteNumber(w, "speed_kmh", st.SpeedKmh);
                        WriteNumber(w, "travel_time_s", st.TravelTimeS);
                        w.WriteNumber("flow_vph", Math.Round(st.FlowVph));
                        w.WriteNumber("level", (int)st.Level);
                        w.WriteString("level_zh", CongestionLevels.NameZh(st.Level));
                        w.WriteString("level_en", CongestionLevels.NameEn(st.Level));
                        w.WriteNumber("confidence", st.Confidence);
                        w.WriteString("sources", st.Sources);
                        w.WriteBoolean("final", st.Final);
                        w.WriteEndObject();
                    }
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
            }
            foreach (var f in network.Facilities)
            {
                Begin(w, "Point");
                w.WriteStartArray("coordinates");
                w.WriteNumberValue(Math.Round(f.Location.Lon, 6));
                w.WriteNumberValue(Math.Round(f.Location.Lat, 6));
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteStartObject("properties");
                w.WriteString("kind", NetworkFile.KindName(f.Kind));
                w.WriteString("id", f.Id);
                w.WriteString("name", f.Name);
                w.WriteString("route", f.Route);
                w.WriteString("stake", Stake.Format(f.Stake));
                if (f.EndStake is { } e)
                {
                    w.WriteString("end_stake", Stake.Format(e));
                }
                w.WriteNumber("direction", f.Direction);
                foreach (var (k, v) in f.Attributes)
                {
                    w.WriteString(k, v);
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void Begin(Utf8JsonWriter w, string type)
    {
        w.WriteStartObject();
        w.WriteString("type", "Feature");
        w.WriteStartObject("geometry");
        w.WriteString("type", type);
    }

    private static void Line(Utf8JsonWriter w, IReadOnlyList<GeoPoint> line)
    {
        w.WriteStartArray("coordinates");
        foreach (var p in line)
        {
            w.WriteStartArray();
            w.WriteNumberValue(Math.Round(p.Lon, 6));
            w.WriteNumberValue(Math.Round(p.Lat, 6));
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, double? v)
    {
        if (v is { } x)
        {
            w.WriteNumber(name, Math.Round(x, 2));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
