import { useI18n } from '../i18n';
import { Link } from '../router';
import { useSession } from '../session';
import { PageTitle } from '../ui';

export function Landing() {
  const { t } = useI18n();
  const { city, me } = useSession();
  return (
    <>
      <section className="hero">
        <PageTitle title={city ? city.name : t.heroTitle}>{t.heroTitle}</PageTitle>
        {city && <p className="hero-city">{t.heroCity(city.name)}</p>}
        <p className="lead">{t.heroLead}</p>
        <div className="actions">
          {me ? (
            <Link to="/akun" className="btn btn--primary">
              {t.ctaAccount}
            </Link>
          ) : (
            <>
              <Link to="/daftar" className="btn btn--primary">
                {t.ctaRegister}
              </Link>
              <Link to="/masuk" className="btn btn--secondary">
                {t.ctaLogin}
              </Link>
            </>
          )}
        </div>
      </section>

      <ul className="doors">
        <li className="door">
          <span className="door-icon door-icon--report" aria-hidden="true">
            <svg viewBox="0 0 24 24"><path d="M12 2 1 21h22L12 2zm0 6 1 7h-2l1-7zm-1 9h2v2h-2z" /></svg>
          </span>
          <div>
            <h2>{t.doorReportTitle}</h2>
            <p>{t.doorReportBody}</p>
          </div>
        </li>
        <li className="door">
          <span className="door-icon door-icon--follow" aria-hidden="true">
            <svg viewBox="0 0 24 24"><path d="M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z" /></svg>
          </span>
          <div>
            <h2>{t.doorFollowTitle}</h2>
            <p>{t.doorFollowBody}</p>
          </div>
        </li>
        <li className="door">
          <span className="door-icon door-icon--services" aria-hidden="true">
            <svg viewBox="0 0 24 24"><path d="M6 2h9l5 5v15H6V2zm8 1.5V8h4.5L14 3.5zM8 12h10v1.6H8zm0 4h10v1.6H8z" /></svg>
          </span>
          <div>
            <h2>
              {t.doorServicesTitle} <span className="badge">{t.soon}</span>
            </h2>
            <p>{t.doorServicesBody}</p>
          </div>
        </li>
      </ul>

      {!me && (
        <p className="officer-note">
          {t.officerNote}{' '}
          <Link to="/masuk?sebagai=petugas">{t.officerLink}</Link>
        </p>
      )}
    </>
  );
}
