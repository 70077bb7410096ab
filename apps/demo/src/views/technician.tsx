import type { CustomerView, TechnicianView } from '../service';
import { when } from './format';
import { ActionButton } from './layout';

/**
 * Booking a technician for an appliance that warned us it may fail: the times on offer and, once
 * booked, the visit.
 */
export function TechnicianPage(props: {
  readonly customer: CustomerView;
  readonly technician: TechnicianView;
  readonly csrf: string;
}) {
  const c = props.customer;
  const t = props.technician;
  return (
    <>
      <p class="small">
        <a href={`/customers/${c.id}/inbox`}>← Back to the inbox</a>
      </p>
      <h1>Book a technician</h1>
      <p class="lead">
        {`A technician checks your ${t.appliance} and replaces worn parts before it breaks. The visit is free while the appliance is under warranty.`}
      </p>
      {t.booked === null ? null : (
        <div class="card" id="visit">
          {`A technician will come on ${when(t.booked)}. You can pick another time below.`}
        </div>
      )}
      <section class="card" id="slots">
        <h2>Times on offer</h2>
        {t.slots.map((at) => (
          <div class="row slot">
            <span>{when(at)}</span>
            <ActionButton
              action={`/customers/${c.id}/technician`}
              csrf={props.csrf}
              label={t.booked === at ? 'Booked' : 'Book this time'}
              variant={t.booked === at ? 'secondary' : 'primary'}
              fields={{ at: String(at) }}
            />
          </div>
        ))}
      </section>
    </>
  );
}
