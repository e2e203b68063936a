-- A sign-in attempt is counted before its password is checked, and a browser that has signed in
-- to the account before is counted on its own: device holds the SHA-256 of its device cookie
-- (as SignInDevice.id does), null for every other browser. See lib/auth/throttle.ts.
-- (No semicolons or apostrophes in these comments: the migration runner splits the script.)
-- AlterTable
ALTER TABLE "SignInFailure" ADD COLUMN "device" CHAR(64);

-- CreateIndex
CREATE INDEX "SignInFailure_device_createdAt_idx" ON "SignInFailure"("device", "createdAt");
