-- MediKeep-FCGI schema, part 2: accounts.
-- Registration creates the user's own patient record at once (as upstream does), but the
-- register body has no birth date: the self record's birth_date stays NULL until the user
-- fills it in through PUT /patients/me.
ALTER TABLE patients MODIFY birth_date DATE NULL;
