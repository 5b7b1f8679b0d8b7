namespace Ring.Control;

/// <summary>How the descriptor in a REGION message was opened (u16 on the wire); the receiver maps it that way.</summary>
internal enum RegionAccess : ushort
{
    /// <summary>O_RDWR: the device maps it PROT_READ | PROT_WRITE.</summary>
    ReadWrite = 1,

    /// <summary>O_RDONLY: an observer can map it only PROT_READ.</summary>
    ReadOnly = 2,
}
