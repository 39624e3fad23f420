-- What people need to reach an organisation in an emergency: whom to ask
-- for, a phone number, when deliveries are taken and how to find the
-- door ("entrée B, quai de livraison").
ALTER TABLE organisations ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN delivery_hours TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN delivery_notes TEXT NOT NULL DEFAULT '';
