import type { VirtualClock } from '@candor/core';
import { duration } from '@candor/core';
import type { ChangePort } from '@candor/rules';
import { bookedTrip, customers, type SeedCustomer } from '../catalog';
import type { DemoService } from '../service';
import type { AppStore } from '../storage';

/**
 * The demo's booking system, as the rule engine and the pages see it: flights (changed through
 * the engine's change port) and technician visits.
 */
export interface Bookings {
  /** What the rule engine changes a booking through (and undoes the change through). */
  readonly changePort: ChangePort;
  readonly service: Pick<DemoService, 'booking' | 'technician' | 'bookTechnician'>;
}

/** Loads each customer's flight and technician visit from the store. */
export async function openBookings(
  app: AppStore,
  clock: VirtualClock,
  byId: ReadonlyMap<string, SeedCustomer>,
  tick: () => Promise<void>,
): Promise<Bookings> {
  // The booking system: which flight each customer is on. A storm rebooking holds a seat on the
  // earlier flight and moves the booking there (only with the customer's permission for automatic
  // changes: the rule engine asks); an undo puts back exactly the flight it replaced.
  const bookings = new Map<string, string>();
  for (const c of customers) bookings.set(c.id, (await app.getBooking(c.id)) ?? bookedTrip.flight);
  // Technician visits booked from an appliance warning.
  const visits = new Map<string, number>();
  for (const c of customers) {
    const at = await app.getVisit(c.id);
    if (at !== null) visits.set(c.id, at);
  }
  // The next three mornings (09:00 UTC) on the virtual clock.
  const visitSlots = () => {
    const today = Math.floor(clock.now() / duration.day) * duration.day;
    return [1, 2, 3].map((d) => today + d * duration.day + 9 * duration.hour);
  };
  const book = async (subject: string, flight: string) => {
    await app.setBooking(subject, flight);
    bookings.set(subject, flight);
  };
  const changePort: ChangePort = {
    log: app.changes,
    async perform({ subject, type }) {
      const from = bookings.get(subject);
      if (type !== 'booking.rebook' || from === undefined) throw new Error('no booking to change');
      if (from === bookedTrip.earlier) throw new Error('already on the earlier flight');
      await book(subject, bookedTrip.earlier);
      return { from, to: bookedTrip.earlier };
    },
    async undo(record) {
      const from = record.details?.from;
      if (typeof from !== 'string') throw new Error('the change does not say what it replaced');
      await book(record.subject, from);
    },
  };
  const service: Bookings['service'] = {
    booking: (subject) => bookings.get(subject) ?? bookedTrip.flight,
    technician: (subject) => ({
      appliance: 'washing machine',
      slots: visitSlots(),
      booked: visits.get(subject) ?? null,
    }),
    async bookTechnician(subject, at) {
      if (!byId.has(subject) || !visitSlots().includes(at)) return false;
      await app.setVisit(subject, at);
      visits.set(subject, at);
      await tick();
      return true;
    },
  };
  return { changePort, service };
}
