"""One window (一门受理、协同办理, WEL-7): the township window records any request and refers it
(转办) to the department that owns it, with a deadline the applicant can follow."""
