namespace TransportBrain.Fleet.Jt808;

/// <summary>
/// Edition of JT/T 808 a terminal speaks. 2011 and 2013 share the header layout and differ
/// only in some bodies (0x0100 registration), so a header on its own reports
/// <see cref="V2013"/> for both; <see cref="Jt808TerminalRegistration.Edition"/> tells them apart.
/// </summary>
public enum Jt808Edition
{
    V2011 = 2011,
    V2013 = 2013,
    V2019 = 2019,
}
