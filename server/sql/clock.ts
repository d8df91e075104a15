// Times come from the database's clock: the one every lease, sweep and staleness check compares with (now()).

/** The database's now(), as a value TypeORM's update() writes as SQL rather than as a parameter. */
export const DATABASE_NOW = () => 'now()';
